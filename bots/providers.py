"""The four calls of a turn, answered by Claude or, without a key or when Claude fails, by the rule-based
fallback. Both answer through the same interface with validated structures; every answer gets a ledger row."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Literal

from django.conf import settings
from pydantic import BaseModel, Field

from bots import prompts
from bots.claude import CallContext, ClaudeClient, LLMUnavailable, record_fallback
from caching.services import Computed
from leads.understanding import INTENTS, extract
from leads.facts import QualificationFacts

logger = logging.getLogger(__name__)

Intent = Literal[INTENTS]  # type: ignore[valid-type]


class IntentAnswer(BaseModel):
    intent: Intent
    confidence: float = Field(default=1.0, ge=0, le=1)


class FactsAnswer(BaseModel):
    facts: QualificationFacts


class MemoryAnswer(BaseModel):
    summary: str = Field(max_length=600)
    message_ids: list[int] = Field(default_factory=list, max_length=50)


class ReplyAnswer(BaseModel):
    reply: str = Field(min_length=1, max_length=640)


@dataclass(frozen=True)
class ReplyBrief:
    """What the response call is told: code decides the next question and any handoff, the model words it."""

    stage: str
    inbound: str
    name: str
    facts: dict
    next_question: str
    handoff_reason: str
    memory: str
    fallback_reply: str


class RuleBasedProvider:
    """Keyword and pattern rules (the shared extractor) and templated replies. Free, offline, predictable."""

    name = "fallback"

    def intent(self, text: str, question: str) -> IntentAnswer:
        return IntentAnswer(intent=extract(text, question).intent, confidence=0.5)

    def facts(self, text: str, question: str) -> FactsAnswer:
        return FactsAnswer(facts=QualificationFacts.model_validate(extract(text, question).facts))

    def memory(self, text: str, messages: list[dict]) -> MemoryAnswer:
        inbound = [m for m in messages if m["direction"] == "inbound"][-3:]
        summary = " | ".join(m["body"][:90] for m in inbound)
        return MemoryAnswer(summary=summary[:300], message_ids=[m["id"] for m in inbound])

    def reply(self, brief: ReplyBrief) -> ReplyAnswer:
        return ReplyAnswer(reply=brief.fallback_reply)


class ClaudeProvider:
    name = "anthropic"

    def __init__(self, client: ClaudeClient):
        self.client = client

    def intent(self, text: str, question: str, context: CallContext) -> tuple[IntentAnswer, Computed]:
        return self._ask("intent", prompts.INTENT_SYSTEM, _user_block(text, question), IntentAnswer, 50, context)

    def facts(self, text: str, question: str, context: CallContext) -> tuple[FactsAnswer, Computed]:
        return self._ask("facts", prompts.FACTS_SYSTEM, _user_block(text, question), FactsAnswer, 300, context)

    def memory(self, text: str, messages: list[dict], context: CallContext) -> tuple[MemoryAnswer, Computed]:
        listing = "\n".join(f"[{m['id']}] {m['direction']}: {m['body'][:300]}" for m in messages)
        user = f"Earlier messages of this prospect:\n{listing or '(none)'}\n\nNew SMS:\n<sms>{text}</sms>"
        return self._ask("memory", prompts.MEMORY_SYSTEM, user, MemoryAnswer, 250, context)

    def reply(self, brief: ReplyBrief, context: CallContext) -> tuple[ReplyAnswer, Computed]:
        user = json.dumps({
            "stage": brief.stage, "prospect_name": brief.name, "known_facts": brief.facts,
            "what_we_remember": brief.memory, "next_question": brief.next_question,
            "handoff": brief.handoff_reason, "prospect_sms": brief.inbound,
        }, ensure_ascii=False)
        return self._ask("response", prompts.RESPONSE_SYSTEM, user, ReplyAnswer, 200, context)

    def _ask(self, kind, system, user, schema, max_tokens, context):
        model = settings.CLAUDE_MODELS[kind]
        answer, call = self.client.structured(system=system, user=user, schema=schema, model=model,
                                              max_tokens=max_tokens, context=context)
        tokens = call.input_tokens + call.output_tokens + call.cache_write_tokens + call.cache_read_tokens
        return answer, Computed(answer.model_dump(mode="json"), float(call.cost_usd), tokens)


def _user_block(text: str, question: str) -> str:
    # The SMS is fenced as data; the preceding question gives short replies their meaning.
    return f"Bot's preceding question: {question or '(none: first message)'}\n<sms>{text}</sms>"


class TurnProvider:
    """Claude when a key is set, the rule-based provider otherwise or when Claude fails: callers always get a
    validated answer and a `Computed` (value, cost, tokens) for the cache."""

    def __init__(self, claude: ClaudeClient | None = None):
        if claude is None and settings.ANTHROPIC_API_KEY:
            claude = ClaudeClient()
        self.claude = ClaudeProvider(claude) if claude else None
        self.rules = RuleBasedProvider()

    def model_for(self, kind: str) -> str:
        return settings.CLAUDE_MODELS[kind] if self.claude else "rule-based"

    def call(self, kind: str, context: CallContext, *args) -> Computed:
        if self.claude is not None:
            try:
                _answer, computed = getattr(self.claude, _method(kind))(*args, context)
                return computed
            except LLMUnavailable as exc:
                reason = f"Claude unavailable: {exc}"
        else:
            reason = "no ANTHROPIC_API_KEY"
        record_fallback(context, reason)
        answer = getattr(self.rules, _method(kind))(*args)
        # Standing in for a failed Claude, the rules' answer is used but not cached under Claude's model name.
        return Computed(answer.model_dump(mode="json"), cacheable=self.claude is None)


def _method(kind: str) -> str:
    return {"intent": "intent", "facts": "facts", "memory": "memory", "response": "reply"}[kind]
