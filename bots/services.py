"""One conversation turn: the four calls through the cache, facts and scores updated in code, the reply stored.
The memory call is made only when the conversation is longer than the recent window: a shorter one is its own
memory (the call is recorded as NOT_NEEDED).

`run_turn(message_id)` is what the Celery task calls. It is idempotent: an inbound message that already has a
reply is not answered again (the reply row is unique per inbound message).
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass, field

from django.db import IntegrityError, transaction

from bots import stages
from bots.claude import CallContext
from bots.memory import message_item, recent_messages, remember_message, whole_conversation
from bots.prompts import PROMPT_VERSION
from bots.providers import FactsAnswer, ReplyAnswer, ReplyBrief, TextInContext, TurnProvider
from caching.keys import Scope
from caching.policy import CallKind
from caching.services import CacheResult, LLMCache, embedding_for, get_cache
from leads import selectors as lead_selectors
from leads.facts import clean_facts, merge_facts
from leads.intents import Intent
from leads.models import Author, Contact, Conversation, Direction, Message
from leads.reader.injection import looks_like_injection
from leads.reader.language import detect as detect_language
from leads.scoring import SCORING_VERSION, score
from leads.selectors import local_date
from leads.services import contact_apply_turn, message_mark_handled
from sms.segments import fit_segments, needs_unicode, to_gsm7
from sms.services import opt_out_confirmed, outbound_queue

logger = logging.getLogger(__name__)

RECENT_MESSAGES = 10
SIMILAR_OLDER_MESSAGES = 3
# The tier of a call the turn did not need to make (no model request, no cache look-up): a benchmark counts these
# as calls avoided, apart from the cache's hits and misses.
NOT_NEEDED = "not_needed"
MAX_REPLY_SEGMENTS = 2
MONEY_OR_NUMBER = re.compile(r"\$\s?\d[\d,.]*\s?[km]?|\b\d[\d,]{2,}\b", re.IGNORECASE)


@dataclass(frozen=True)
class CallRecord:
    """One of the turn's calls as the cache answered it, with the inputs it was asked about (so a benchmark
    can check any cached answer against what the model would have said)."""

    tier: str                 # L1, L2, L3, miss (the model was asked), or NOT_NEEDED (the call was not made)
    value: object
    lookup_ms: float
    similarity: float | None
    inputs: tuple


@dataclass
class TurnResult:
    reply: Message | None
    skipped: str = ""                        # why no reply was produced ("" when one was)
    calls: dict[CallKind, CallRecord] = field(default_factory=dict)  # how each call was answered
    intent: str = ""
    handoff_reason: str = ""

    @property
    def tiers(self) -> dict[str, str]:
        return {kind: call.tier for kind, call in self.calls.items()}

    @property
    def avoided(self) -> list[str]:
        """The kinds whose call the turn did not need to make."""
        return [kind for kind, call in self.calls.items() if call.tier == NOT_NEEDED]


def run_turn(message_id: int, *, provider: TurnProvider | None = None, cache: LLMCache | None = None) -> TurnResult:
    inbound = Message.objects.select_related("contact", "conversation").get(pk=message_id)
    if inbound.direction != Direction.INBOUND:
        return TurnResult(None, skipped="not an inbound message")
    existing = Message.objects.filter(reply_to=inbound).first()
    if existing is not None or inbound.handled_at is not None:
        return TurnResult(existing, skipped="already answered")
    contact = Contact.objects.get(pk=inbound.contact_id)  # fresh: flags, facts and cache version of now
    if contact.opted_out:
        return _handled_without_reply(inbound, "contact opted out")
    conversation = Conversation.objects.get(pk=inbound.conversation_id)
    cache = cache or get_cache()
    text = inbound.body.strip()
    if inbound.embedding is None:  # for later turns' semantic memory search
        inbound.embedding = embedding_for(text)
        inbound.save(update_fields=["embedding"])
    call = _CallRunner(cache, provider or TurnProvider(), contact, inbound, lead_selectors.preceding_question(inbound),
                       lead_selectors.messages_per_minute(inbound))
    understood = _understand(call, contact, conversation, text)
    if contact.bot_paused:
        # Handed off or taken over: the bot stays silent, but what the prospect tells the agent is recorded.
        _apply(contact, conversation, understood, asked_slot=conversation.asked_slot, handoff_reason="", closed=None)
        return _handled_without_reply(inbound, "bot paused: an agent has the conversation")

    passed = list(conversation.passed_slots)
    if stages.passed_on(conversation.asked_slot, understood.facts, understood.intent) and not understood.injection:
        passed.append(conversation.asked_slot)
    step = stages.next_step(lead_type=understood.lead_type, name=understood.name, name_asked=conversation.name_asked,
                            facts=understood.facts, intent=understood.intent, temperature=understood.temperature,
                            closed=bool(conversation.closed_reason), language=understood.language,
                            injection=understood.injection, passed=tuple(passed))
    if step.action == stages.Action.OPT_OUT:
        opt_out_confirmed(contact=contact, inbound=inbound, language=understood.language)
        return TurnResult(None, skipped="opted out in words", intent=understood.intent)
    closed = step.close_reason if step.action == stages.Action.CLOSE else ("" if step.action == stages.Action.ASK else None)
    if step.action == stages.Action.SILENT:
        _apply(contact, conversation, understood, asked_slot="", handoff_reason="", closed=None)
        return _handled_without_reply(inbound, f"conversation closed ({conversation.closed_reason})")

    reply_text = _reply_text(call, contact, understood, step, text)
    with transaction.atomic():
        _apply(contact, conversation, understood, asked_slot=step.next_slot, handoff_reason=step.handoff_reason,
               closed=closed, bot=step.bot, passed=passed)
        try:
            with transaction.atomic():
                reply = outbound_queue(contact=contact, body=reply_text, reply_to=inbound,
                                       author=Author.HANDOFF if step.handoff_reason else Author.BOT)
        except IntegrityError:  # another run of this turn stored its reply first
            return TurnResult(Message.objects.get(reply_to=inbound), skipped="already answered")
    remember_message(cache, inbound)
    remember_message(cache, reply)
    return TurnResult(reply, calls=call.records, intent=understood.intent, handoff_reason=step.handoff_reason)


@dataclass(frozen=True)
class _Understood:
    """What the turn's intent, facts and scoring calls made of a text, with the contact's standing after it."""

    intent: Intent
    facts: dict
    lead_type: str
    name: str
    language: str
    frs: int
    pcs: int
    temperature: str
    injection: bool


def _understand(call: "_CallRunner", contact: Contact, conversation: Conversation, text: str) -> _Understood:
    context = TextInContext(text, call.question, conversation.asked_slot, contact.lead_type, local_date(contact, call.inbound),
                            tuple(conversation.passed_slots), name=contact.name)
    intent = Intent(call.shared(CallKind.INTENT, context)["intent"])
    stated = FactsAnswer.model_validate(call.shared(CallKind.FACTS, context))
    # Checked in code whatever the model said: a steering attempt sets no fact and triggers nothing.
    injection = looks_like_injection(text)
    if injection:
        logger.warning("contact %s: message %s looks like prompt injection; nothing it says is applied", contact.pk,
                       call.inbound.pk)
        intent, stated = Intent.OTHER, FactsAnswer(facts={})
    facts = merge_facts(contact.facts, clean_facts(stated.facts.model_dump()), replaces=stated.replaces)
    lead_type = stages.lead_type_from(intent, stated.lead_type or "", stated.corrects_lead_type, facts, contact.lead_type)
    scores = call.scoring(lead_type, facts, wants_appointment=intent == Intent.APPOINTMENT)
    return _Understood(intent=intent, facts=facts, lead_type=lead_type, name=contact.name or stated.name,
                       language=detect_language(text) or contact.language, frs=scores["frs"], pcs=scores["pcs"],
                       temperature=scores["temperature"], injection=injection)


def _reply_text(call: "_CallRunner", contact: Contact, understood: _Understood, step: stages.Step, text: str) -> str:
    recent, _tier = recent_messages(call.cache, contact, RECENT_MESSAGES)
    if len(recent) < RECENT_MESSAGES:
        # Fewer messages than the window holds: the window is the whole conversation, with no older message for the
        # search to add. What the memory call would pick from it, the reply can be told as it is: no call.
        memory = call.memory_not_needed(text, recent)
    else:
        older = [message_item(m) for m in lead_selectors.similar_older_messages(
            contact, call.inbound.embedding, exclude_ids=[m["id"] for m in recent], limit=SIMILAR_OLDER_MESSAGES)]
        memory = call.memory(text, call.question, recent + older)
    first_turn = not Message.objects.filter(contact=contact, direction=Direction.OUTBOUND).exists()
    fallback = stages.template_reply(step, understood.name, first_turn, understood.language)
    brief = ReplyBrief(stage=step.bot, inbound=text, name=understood.name, facts=understood.facts,
                       next_question=step.next_question, handoff_reason=step.handoff_reason,
                       memory=memory.get("summary", ""), fallback_reply=fallback, language=understood.language,
                       action=step.action, preface=step.preface)
    return _fit_for_sms(call.reply(brief), inbound=text, facts=understood.facts, fallback=fallback)


def _apply(contact: Contact, conversation: Conversation, understood: _Understood, *, asked_slot: str,
           handoff_reason: str, closed: str | None, bot: str | None = None, passed: list[str] | None = None) -> None:
    contact_apply_turn(contact=contact, name=understood.name, lead_type=understood.lead_type, facts=understood.facts,
                       frs=understood.frs, pcs=understood.pcs, temperature=understood.temperature,
                       bot=bot or conversation.active_bot, asked_slot=asked_slot, handoff_reason=handoff_reason,
                       language=understood.language, closed_reason=closed, passed_slots=passed)


def _handled_without_reply(inbound: Message, reason: str) -> TurnResult:
    message_mark_handled(message=inbound)
    return TurnResult(None, skipped=reason)


class _CallRunner:
    """Runs each of the turn's calls through the cache with its kind, scope, key and the turn's context."""

    def __init__(self, cache: LLMCache, provider: TurnProvider, contact: Contact, inbound: Message, question: str,
                 velocity: float):
        self.cache, self.provider, self.contact, self.inbound = cache, provider, contact, inbound
        self.question, self.velocity = question, velocity
        self.records: dict[CallKind, CallRecord] = {}

    def _model_call(self, kind: CallKind, *args):
        context = CallContext(kind=kind, prompt_version=PROMPT_VERSION, contact_id=self.contact.pk,
                              message_id=self.inbound.pk)
        return lambda: self.provider.call(kind, context, *args)

    def _run(self, kind: CallKind, scope: Scope, key_parts, compute, *, semantic: bool, inputs: tuple,
             model: str | None = None, partition: str = "") -> CacheResult:
        result = self.cache.get_or_compute(
            kind, scope, key_parts, compute, text=self.inbound.body if semantic else None, context=self.question,
            partition=partition,
            model=model or self.provider.model_for(kind), prompt_version=PROMPT_VERSION,
            messages_per_minute=self.velocity,
        )
        self.records[kind] = CallRecord(result.tier.value, result.value, result.lookup_ms, result.similarity, inputs)
        return result

    def shared(self, kind: CallKind, text: TextInContext) -> dict:
        return self._run(kind, Scope.shared(), text.key_parts(kind), self._model_call(kind, text), semantic=True,
                         inputs=(text,), partition="|".join(map(str, text.partition(kind)))).value

    def scoring(self, lead_type: str, facts: dict, *, wants_appointment: bool) -> dict:
        # Computed in code from validated facts, cached per contact: a temperature change bumps the contact's
        # version, so the next turn recomputes instead of serving scores of the old temperature.
        return self._run(CallKind.SCORING, Scope.for_contact(self.contact), [lead_type, facts, wants_appointment],
                         lambda: asdict(score(lead_type, facts, wants_appointment=wants_appointment)), semantic=False,
                         inputs=(lead_type, facts, wants_appointment), model=f"scoring-code-v{SCORING_VERSION}").value

    def memory(self, text: str, question: str, messages: list[dict]) -> dict:
        ids = [m["id"] for m in messages]
        return self._run(CallKind.MEMORY, Scope.for_contact(self.contact), [text, ids],
                         self._model_call(CallKind.MEMORY, text, messages), semantic=False,
                         inputs=(text, messages)).value

    def memory_not_needed(self, text: str, messages: list[dict]) -> dict:
        """The memory of a conversation that fits in the recent window: the window itself (bots.memory), recorded
        as a call not needed so that it counts as avoided, not as a hit or a miss."""
        value = whole_conversation(messages, current_id=self.inbound.pk)
        self.records[CallKind.MEMORY] = CallRecord(NOT_NEEDED, value, 0.0, None, (text, messages))
        self.cache.record_avoided(CallKind.MEMORY)
        return value

    def reply(self, brief: ReplyBrief) -> str:
        # Every input of the brief is in the key, so an exact hit is the reply the model would write again.
        parts = [brief.inbound, self.question, brief.stage, brief.next_question, brief.handoff_reason, brief.facts,
                 brief.name, brief.memory, brief.fallback_reply]
        result = self._run(CallKind.RESPONSE, Scope.for_contact(self.contact), parts,
                           self._model_call(CallKind.RESPONSE, brief), semantic=False, inputs=(brief,))
        return ReplyAnswer.model_validate(result.value).reply


def _fit_for_sms(reply: str, *, inbound: str, facts: dict, fallback: str) -> str:
    """GSM-7 unless the prospect writes in a script that needs Unicode; within the segment budget; and no
    number or price that neither the prospect nor the known facts mention (the bot never invents them)."""
    known = inbound + " " + " ".join(str(value) for value in facts.values())
    known_digits = set(re.sub(r"\D", "", token) for token in re.findall(r"\d[\d,.]*", known))
    for token in MONEY_OR_NUMBER.findall(reply):
        if re.sub(r"\D", "", token) not in known_digits:
            logger.warning("reply mentioned %r, which nothing in the conversation states; using the template", token)
            reply = fallback
            break
    if not needs_unicode(inbound):
        reply = to_gsm7(reply)
    return fit_segments(reply, MAX_REPLY_SEGMENTS)

