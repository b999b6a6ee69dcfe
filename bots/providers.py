"""The calls of a turn, answered by Claude or, without a key or when Claude fails, by the rule-based
fallback. Both answer through the same interface with validated structures; every answer gets a ledger row."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from pydantic import BaseModel, Field

import leads.understanding as understanding
from bots import prompts
from bots.claude import CallContext, ClaudeClient, LLMUnavailable, record_fallback
from bots.state_replies import ReplyState
from caching.policy import CallKind
from caching.services import Computed
from leads.facts import QualificationFacts
from leads.intents import Intent
from leads.models import LeadType
from leads.reader import names_calendar_point, read
from leads.reader.version import rules_fingerprint

logger = logging.getLogger(__name__)


class IntentAnswer(BaseModel):
    intent: Intent
    confidence: float = Field(default=1.0, ge=0, le=1)


class FactsAnswer(BaseModel):
    """What one text states about the prospect: qualification facts, and who they are when the text says it."""

    facts: QualificationFacts
    lead_type: LeadType | None = None     # buyer, seller or renter when the text says so
    corrects_lead_type: bool = False      # the text replaces a lead type said before ("I meant buy")
    name: str = Field(default="", max_length=60)
    # List facts this text replaces rather than adds to ("actually millcreek, not sugar house" -> ["areas"]).
    replaces: list[str] = Field(default_factory=list, max_length=5)


# The kinds whose answer can count from the text's date: facts (a season or a month is days until it, from the
# SMS date), and only when the text names such a point (TextInContext.counts_from_date). An intent label never
# does, so an intent is shared across days and the date stays out of its key.
DATED_KINDS = frozenset({CallKind.FACTS})


@dataclass(frozen=True)
class TextInContext:
    """One inbound text with what gives it meaning: the bot's preceding question, the fact it asked for, what the
    contact is known to be, and the text's date (which "spring" or "in 3 months" count from)."""

    text: str
    question: str
    asked_slot: str
    lead_type: str
    date: date
    pending_slots: tuple = ()   # asked earlier, not answered yet
    name: str = ""              # the prospect's known name: a question that greets them by it asks the same

    def key_parts(self, kind: CallKind) -> list:
        """What the kind's answer depends on, as the shared cache key. The text in its canonical form and the
        question as the reader reads it, so that "Pre-approved!!" and "pre approved" after "Thanks, Dana! Are you
        pre-approved?" and "Thanks, Sam! Are you pre-approved?" are one computation (the prompt still carries the
        original text and question); the slot, lead type and pending slots, which the prompt tells the model; the
        date only for the kinds that count from it, and only when the text names a point they count from."""
        return [understanding.CANONICAL_VERSION, understanding.canonical_text(self.text),
                understanding.canonical_question(self.question, leave_out=self.name), *self.partition(kind)]

    def partition(self, kind: CallKind) -> list:
        """What a semantic (L3) match must share exactly besides the question: the key's parts after the text."""
        dated = [self.date.isoformat()] if kind in DATED_KINDS and self.counts_from_date() else []
        return [self.asked_slot, self.lead_type, list(self.pending_slots), *dated]

    def counts_from_date(self) -> bool:
        """The text names a calendar point ("spring", "by march", "after the holidays", "friday"), so what it says
        depends on the day it was sent; "pre-approved", "400k" or "in 3 months" say the same on any day, and their
        facts are shared across days. Decided by the offline reader's reading of time (leads.reader)."""
        return names_calendar_point(self.text, today=self.date)


class MemoryAnswer(BaseModel):
    summary: str = Field(max_length=600)
    message_ids: list[int] = Field(default_factory=list, max_length=50)


class ReplyAnswer(BaseModel):
    reply: str = Field(min_length=1, max_length=640)


class StateReplyAnswer(BaseModel):
    template: str = Field(min_length=1, max_length=640)


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
    language: str = "en"
    action: str = "ask"     # ask, handoff or close (bots.stages.Action)
    preface: str = ""       # what to say before the question: an honest answer about the bot, a question's reply


class RuleBasedProvider:
    """The offline reader (leads.reader) and templated replies. Free, offline, predictable."""

    name = "fallback"

    def intent(self, text: TextInContext) -> IntentAnswer:
        return IntentAnswer(intent=self._read(text).intent, confidence=0.5)

    def facts(self, text: TextInContext) -> FactsAnswer:
        reading = self._read(text)
        return FactsAnswer(facts=QualificationFacts.model_validate(reading.facts), lead_type=reading.lead_type or None,
                           corrects_lead_type=reading.corrects_lead_type, name=reading.name,
                           replaces=list(reading.replaces))

    def memory(self, text: str, messages: list[dict]) -> MemoryAnswer:
        inbound = [m for m in messages if m["direction"] == "inbound"][-3:]
        summary = " | ".join(m["body"][:90] for m in inbound)
        return MemoryAnswer(summary=summary[:300], message_ids=[m["id"] for m in inbound])

    def response(self, brief: ReplyBrief) -> ReplyAnswer:
        return ReplyAnswer(reply=brief.fallback_reply)

    def state_reply(self, state: ReplyState) -> StateReplyAnswer:
        return StateReplyAnswer(template=state.offline_template())

    @staticmethod
    def _read(text: TextInContext):
        return read(text.text, asked=text.asked_slot, lead_type=text.lead_type, today=text.date,
                    pending=text.pending_slots)


class ClaudeProvider:
    name = "anthropic"

    def __init__(self, client: ClaudeClient):
        self.client = client

    def intent(self, text: TextInContext, context: CallContext) -> tuple[IntentAnswer, Computed]:
        return self._ask(CallKind.INTENT, prompts.INTENT_SYSTEM, _user_block(text), IntentAnswer, 50, context)

    def facts(self, text: TextInContext, context: CallContext) -> tuple[FactsAnswer, Computed]:
        return self._ask(CallKind.FACTS, prompts.FACTS_SYSTEM, _user_block(text), FactsAnswer, 300, context)

    def memory(self, text: str, messages: list[dict], context: CallContext) -> tuple[MemoryAnswer, Computed]:
        listing = "\n".join(f"[{m['id']}] {m['direction']}: {m['body'][:300]}" for m in messages)
        user = f"Earlier messages of this prospect:\n{listing or '(none)'}\n\nNew SMS:\n<sms>{text}</sms>"
        return self._ask(CallKind.MEMORY, prompts.MEMORY_SYSTEM, user, MemoryAnswer, 250, context)

    def response(self, brief: ReplyBrief, context: CallContext) -> tuple[ReplyAnswer, Computed]:
        user = json.dumps({
            "stage": brief.stage, "prospect_name": brief.name, "known_facts": brief.facts,
            "what_we_remember": brief.memory, "next_question": brief.next_question,
            "handoff": brief.handoff_reason, "action": brief.action, "say_first": brief.preface,
            "language": brief.language, "template": brief.fallback_reply, "prospect_sms": brief.inbound,
        }, ensure_ascii=False)
        return self._ask(CallKind.RESPONSE, prompts.RESPONSE_SYSTEM, user, ReplyAnswer, 200, context)

    def state_reply(self, state: ReplyState, context: CallContext) -> tuple[StateReplyAnswer, Computed]:
        user = json.dumps({
            "stage": state.bot, "lead_type": state.lead_type, "action": state.action,
            "answered": state.answered_slot or "(none)", "next_question": state.next_question,
            "handoff": state.handoff_reason, "close_reason": state.close_reason, "language": state.language,
            "opening": state.opening, "placeholders": list(state.placeholders), "template": state.offline_template(),
        }, ensure_ascii=False)
        return self._ask(CallKind.STATE_REPLY, prompts.STATE_REPLY_SYSTEM, user, StateReplyAnswer, 200, context)

    def _ask(self, kind: CallKind, system, user, schema, max_tokens, context):
        model = settings.CLAUDE_MODELS[kind]
        answer, call = self.client.structured(system=system, user=user, schema=schema, model=model,
                                              max_tokens=max_tokens, context=context)
        tokens = call.input_tokens + call.output_tokens + call.cache_write_tokens + call.cache_read_tokens
        return answer, Computed(answer.model_dump(mode="json"), float(call.cost_usd), tokens)


def _user_block(text: TextInContext) -> str:
    # The SMS is fenced as data; the preceding question gives short replies their meaning, the date gives
    # "spring" or "in 3 months" theirs.
    return (f"Bot's preceding question: {text.question or '(none: first message)'}\n"
            f"Fact asked for: {text.asked_slot or '(none)'}\nAsked earlier, not answered yet: "
            f"{', '.join(text.pending_slots) or '(none)'}\nKnown lead type: {text.lead_type or 'unknown'}\n"
            f"Date of the SMS: {text.date.isoformat()}\n<sms>{text.text}</sms>")


class TurnProvider:
    """Claude when a key is set, the rule-based provider otherwise or when Claude fails: callers always get a
    validated answer and a `Computed` (value, cost, tokens) for the cache."""

    def __init__(self, claude: ClaudeClient | None = None):
        if claude is None and settings.ANTHROPIC_API_KEY:
            claude = ClaudeClient()
        self.claude = ClaudeProvider(claude) if claude else None
        self.rules = RuleBasedProvider()

    def model_for(self, kind: CallKind) -> str:
        return settings.CLAUDE_MODELS[kind] if self.claude else f"rule-based-{rules_fingerprint()}"

    def call(self, kind: CallKind, context: CallContext, *args) -> Computed:
        """Each provider has one method per call kind, named after it (`intent`, `facts`, `memory`, `response`,
        `state_reply`)."""
        if self.claude is not None:
            try:
                _answer, computed = getattr(self.claude, kind.value)(*args, context)
                return computed
            except LLMUnavailable as exc:
                reason = f"Claude unavailable: {exc}"
        else:
            reason = "no ANTHROPIC_API_KEY"
        record_fallback(context, reason)
        answer = getattr(self.rules, kind.value)(*args)
        # Standing in for a failed Claude, the rules' answer is used but not cached under Claude's model name.
        return Computed(answer.model_dump(mode="json"), cacheable=self.claude is None)

