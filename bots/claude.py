"""The Claude client: the official `anthropic` SDK with timeouts and its retries, structured JSON outputs
validated with pydantic, Anthropic prompt caching on the long stable system prompts, and a usage ledger row
for every call."""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

from django.conf import settings
from pydantic import BaseModel, ValidationError

from bots.models import CallOutcome, LLMCall, Provider

logger = logging.getLogger(__name__)

Schema = TypeVar("Schema", bound=BaseModel)
JSON_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.MULTILINE)


class LLMUnavailable(Exception):
    """Claude did not give a usable answer (API error after the SDK's retries, or malformed output twice)."""


@dataclass(frozen=True)
class CallContext:
    """What a ledger row links to."""

    kind: str
    prompt_version: str
    contact_id: int | None = None
    message_id: int | None = None
    # A call made off the request's thread (a turn's concurrent calls) must not touch the database: its ledger rows
    # are kept here unsaved, for the request's thread to save (`save_deferred`). None: each row is saved at once.
    deferred_rows: list | None = field(default=None, compare=False, hash=False)


def _keep(context: CallContext, row: LLMCall) -> LLMCall:
    if context.deferred_rows is None:
        row.save()
    else:
        context.deferred_rows.append(row)
    return row


def save_deferred(rows: list[LLMCall]) -> None:
    """Save the ledger rows of calls made off the request's thread."""
    if rows:
        LLMCall.objects.bulk_create(rows)


def price_usd(model: str, input_tokens: int, output_tokens: int, cache_write_tokens: int, cache_read_tokens: int) -> Decimal:
    prices = settings.LLM_PRICES.get(model)
    if prices is None:
        logger.warning("no price for model %s in LLM_PRICES; its calls are recorded at $0", model)
        return Decimal(0)
    total = (input_tokens * prices["input"] + output_tokens * prices["output"]
             + cache_write_tokens * prices["cache_write"] + cache_read_tokens * prices["cache_read"])
    return (Decimal(str(total)) / Decimal(1_000_000)).quantize(Decimal("0.00000001"))


class ClaudeClient:
    def __init__(self, api_key: str | None = None, *, http_client=None):
        import anthropic  # the SDK costs ~1.7 s to import: only processes that call Claude pay it

        self._api_error = anthropic.APIError
        self.client = anthropic.Anthropic(
            api_key=api_key or settings.ANTHROPIC_API_KEY,
            timeout=settings.ANTHROPIC_TIMEOUT_SECONDS,
            max_retries=settings.ANTHROPIC_MAX_RETRIES,
            http_client=http_client,
        )

    def structured(self, *, system: str, user: str, schema: type[Schema], model: str, max_tokens: int,
                   context: CallContext) -> tuple[Schema, LLMCall]:
        """One validated answer. A malformed answer is asked again once; then LLMUnavailable."""
        last_problem = ""
        for attempt in (1, 2):
            started = time.perf_counter()
            try:
                response = self.client.messages.create(
                    model=model,
                    max_tokens=max_tokens,
                    # The system prompt is long and identical across calls of a kind: cache it at Anthropic.
                    system=[{"type": "text", "text": system, "cache_control": {"type": "ephemeral"}}],
                    messages=[{"role": "user", "content": user}],
                )
            except self._api_error as exc:
                problem = f"{type(exc).__name__}: {getattr(exc, 'status_code', '') or ''} {str(exc)[:200]}".strip()
                self._record(context, model, None, CallOutcome.ERROR, problem, started)
                raise LLMUnavailable(problem) from exc
            text = "".join(block.text for block in response.content if getattr(block, "type", "") == "text")
            try:
                parsed = schema.model_validate(json.loads(JSON_FENCE.sub("", text.strip())))
            except (ValueError, ValidationError) as exc:
                last_problem = f"attempt {attempt}: {str(exc).splitlines()[0][:200]}"
                self._record(context, model, response.usage, CallOutcome.MALFORMED, last_problem, started)
                continue
            return parsed, self._record(context, model, response.usage, CallOutcome.OK, "", started)
        raise LLMUnavailable(f"malformed output twice ({last_problem})")

    @staticmethod
    def _record(context: CallContext, model: str, usage, outcome: str, error: str, started: float) -> LLMCall:
        tokens = {
            "input_tokens": getattr(usage, "input_tokens", 0) or 0,
            "output_tokens": getattr(usage, "output_tokens", 0) or 0,
            "cache_write_tokens": getattr(usage, "cache_creation_input_tokens", 0) or 0,
            "cache_read_tokens": getattr(usage, "cache_read_input_tokens", 0) or 0,
        }
        return _keep(context, LLMCall(
            contact_id=context.contact_id, message_id=context.message_id, kind=context.kind,
            provider=Provider.ANTHROPIC, model=model, prompt_version=context.prompt_version, outcome=outcome,
            error=error[:300], cost_usd=price_usd(model, **tokens),
            latency_ms=int((time.perf_counter() - started) * 1000), **tokens,
        ))


def record_fallback(context: CallContext, reason: str) -> LLMCall:
    """A ledger row for an answer the rule-based fallback gave instead of Claude (free, but counted)."""
    logger.info("rule-based fallback answered %s (contact %s): %s", context.kind, context.contact_id, reason)
    return _keep(context, LLMCall(
        contact_id=context.contact_id, message_id=context.message_id, kind=context.kind, provider=Provider.FALLBACK,
        model="rule-based", prompt_version=context.prompt_version, outcome=CallOutcome.OK, error=reason[:300],
    ))
