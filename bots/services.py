"""One conversation turn: the four calls through the cache, facts and scores updated in code, the reply stored.
The memory call is made only when the conversation is longer than the recent window (a shorter one is its own
memory) and the reply is personal (a dialogue state's shared reply reads no memory); a call not made is recorded as
NOT_NEEDED.

Intent, facts and memory do not depend on each other: the three are looked up in the cache together first (one
Redis MGET, one PostgreSQL statement for the semantic look-ups), then the misses' model calls (HTTP only) run
concurrently in a small thread pool, and only the reply waits for them. A text that reads as an on-script answer
leaves memory out of that wave (its reply is most likely shared); a personal reply makes the call, and the search
for similar older messages it reads, when it needs it.
The cache's reads and writes and the ledger rows stay on the turn's thread (Django's connections are per thread).
Each CallRecord says in which wave it ran: calls of one wave ran concurrently.

`run_turn(message_id)` is what the Celery task calls. It is idempotent: an inbound message that already has a
reply is not answered again (the reply row is unique per inbound message).
"""

from __future__ import annotations

import logging
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from functools import lru_cache
from typing import Callable

from django.conf import settings
from django.db import IntegrityError, transaction

from booking import dialogue as booking
from booking.selectors import may_offer as booking_may_offer
from bots import stages, state_replies
from bots.claude import CallContext, save_deferred
from bots.handoffs import route_handoff
from bots.memory import message_item, recent_messages, remember_message, whole_conversation
from bots.prompts import version_for
from bots.providers import (
    FactsAnswer,
    ReplyAnswer,
    ReplyBrief,
    RuleBasedProvider,
    StateReplyAnswer,
    TextInContext,
    TurnProvider,
)
from bots.state_replies import ReplyState
from caching.keys import Scope
from caching.policy import CallKind
from caching.services import CacheResult, Computed, LLMCache, LookupRequest, PendingCall, embedding_for, get_cache
from leads import selectors as lead_selectors
from leads.facts import clean_facts, merge_facts
from leads.intents import Intent
from leads.models import Author, Contact, Conversation, Direction, Message
from leads.reader.guard import name_in_text, speaks_of_the_prospect, stated_kind
from leads.reader.injection import injection_kind, split_injection_kind
from leads.reader.language import detect as detect_language
from leads.scoring import SCORING_VERSION, score
from leads.selectors import local_date
from leads.services import contact_apply_turn, follow_up_start, follow_up_stop, message_hold, message_mark_handled
from sms.segments import fit_segments, needs_unicode, to_gsm7
from sms.services import opt_out_confirmed, outbound_queue
from team.services import alert_fixed_list

logger = logging.getLogger(__name__)

RECENT_MESSAGES = 10
SIMILAR_OLDER_MESSAGES = 3
# The tier of a call the turn did not need to make (no model request, no cache look-up): a benchmark counts these
# as calls avoided, apart from the cache's hits and misses.
NOT_NEEDED = "not_needed"
MAX_REPLY_SEGMENTS = 2
MONEY_OR_NUMBER = re.compile(r"\$\s?\d[\d,.]*\s?[km]?|\b\d[\d,]{2,}\b", re.IGNORECASE)
# Instructions split across texts arrive within minutes of each other; a text this soon after one that looks like
# injection is read with it.
SPLIT_TEXTS_WITHIN = timedelta(minutes=15)


@dataclass(frozen=True)
class CallRecord:
    """One of the turn's calls as the cache answered it, with the inputs it was asked about (so a benchmark
    can check any cached answer against what the model would have said)."""

    tier: str                 # L1, L2, L3, miss (the model was asked), or NOT_NEEDED (the call was not made)
    value: object
    lookup_ms: float
    similarity: float | None
    inputs: tuple
    wave: int = 0             # the turn's calls with the same wave ran concurrently; waves ran one after another


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
    cache = cache or get_cache()
    try:
        return _answer(message_id, provider or TurnProvider(), cache)
    finally:
        # What the look-ups counted in memory is written once the reply is stored and queued, off its path.
        cache.flush_bookkeeping()


def _answer(message_id: int, provider: TurnProvider, cache: LLMCache) -> TurnResult:
    # The reply is looked for first, so that the message, its contact (flags, facts and cache version) and its
    # conversation, read together in one statement, are as fresh as that check.
    existing = Message.objects.filter(reply_to_id=message_id).first()
    inbound = Message.objects.select_related("contact", "conversation").get(pk=message_id)
    if inbound.direction != Direction.INBOUND:
        return TurnResult(None, skipped="not an inbound message")
    if existing is not None or inbound.handled_at is not None:
        return TurnResult(existing, skipped="already answered")
    contact = inbound.contact
    if contact.opted_out:
        return _handled_without_reply(inbound, "contact opted out")
    conversation = inbound.conversation
    text = inbound.body.strip()
    if inbound.embedding is None:  # for later turns' semantic memory search
        inbound.embedding = embedding_for(text)
        inbound.save(update_fields=["embedding"])
    call = _CallRunner(cache, provider, contact, inbound, lead_selectors.preceding_question(inbound),
                       lead_selectors.messages_per_minute(inbound))
    context = TextInContext(text, call.question, conversation.asked_slot, contact.lead_type,
                            local_date(contact, call.inbound), tuple(conversation.passed_slots), name=contact.name)
    # Judged on the text, the prospect's texts just before it and the name and role the contact gave, whatever the
    # model says: a steering attempt moves nothing.
    steering = injection_kind(text) or split_injection_kind(
        lead_selectors.previous_inbound_texts(inbound, within=SPLIT_TEXTS_WITHIN), text) or (
        "voice:the_prospect_spoken_of" if speaks_of_the_prospect(text, name=contact.name, lead_type=contact.lead_type)
        else "")
    injection = bool(steering)
    # What the memory call reads is known before the turn understands anything, but only a personal reply reads
    # memory (a dialogue state's shared reply does not). So the call runs with intent and facts, unless the text
    # reads as an on-script answer, which is answered by a shared reply: then the call waits until the turn knows
    # its reply is personal after all. A paused bot writes no reply: its turn needs no memory.
    memory = None if contact.bot_paused else _memory_call(call, contact, text)
    early = (memory.plan() if isinstance(memory, _UnplannedMemory) and not _likely_shared(context, injection=injection)
             else None)
    understood, early_memory = _understand(call, contact, context, early, steering=steering)
    if understood.held_as:
        message_hold(message=inbound, limit=understood.held_as)
    memory = early_memory if early is not None else memory
    if not understood.injection and understood.intent != Intent.OPT_OUT:
        booked = _booking_turn(call, contact, conversation, inbound, understood, memory)
        if booked is not None:
            return booked
    if contact.bot_paused:
        # Handed off or taken over: the bot stays silent, but what the prospect tells the agent is recorded.
        _apply(contact, conversation, understood, asked_slot=conversation.asked_slot, handoff_reason="", closed=None)
        return _handled_without_reply(inbound, "bot paused: an agent has the conversation")

    passed = list(conversation.passed_slots)
    # Told something else instead of the answer: asked once more, but never a third time.
    passed_now = stages.passed_on(conversation.asked_slot, understood.facts, understood.intent,
                                  answered_other=understood.answered_other and not conversation.asked_again,
                                  lead_type=understood.lead_type) and not understood.injection
    if passed_now:
        passed.append(conversation.asked_slot)
    step = stages.next_step(lead_type=understood.lead_type, name=understood.name, name_asked=conversation.name_asked,
                            facts=understood.facts, intent=understood.intent, temperature=understood.temperature,
                            closed=bool(conversation.closed_reason), language=understood.language,
                            injection=understood.injection, passed=tuple(passed))
    if step.action in (stages.Action.OPT_OUT, stages.Action.SILENT):
        call.memory_unused(memory)
    if step.action == stages.Action.OPT_OUT:
        opt_out_confirmed(contact=contact, inbound=inbound, language=understood.language)
        return TurnResult(None, skipped="opted out in words", intent=understood.intent)
    # A closed conversation answered once more (its "are you a bot?") keeps the reason it was closed for.
    closed = (conversation.closed_reason or step.close_reason) if step.action == stages.Action.CLOSE else (
        "" if step.action == stages.Action.ASK else None)
    if step.action == stages.Action.SILENT:
        _apply(contact, conversation, understood, asked_slot="", handoff_reason="", closed=None)
        return _handled_without_reply(inbound, f"conversation closed ({conversation.closed_reason})")

    # A ready lead may be offered times with the agent who gets it, which routing decides in the turn's transaction
    # (after the handoff is recorded): its reply is written there, from code, so no model call is spent on it.
    books = step.handoff_reason in stages.BOOKING_HANDOFFS and booking_may_offer(understood.lead_type)
    offer = None
    if books:
        call.memory_unused(memory)
    else:
        on_script = state_replies.on_script(step, understood.intent, text, injection=understood.injection,
                                            passed_now=passed_now)
        reply_text = _reply_text(call, contact, understood, step, text, memory,
                                 answered=conversation.asked_slot if on_script else None)
    with transaction.atomic():
        _apply(contact, conversation, understood, asked_slot=step.next_slot, handoff_reason=step.handoff_reason,
               closed=closed, bot=step.bot, passed=passed,
               asked_again=bool(step.next_slot) and step.next_slot == conversation.asked_slot)
        if books:
            if route_handoff(contact.pk) is False:
                transaction.on_commit(lambda: alert_fixed_list(contact), robust=True)
            offer = booking.offer_for_handoff(contact=contact, lead_type=understood.lead_type,
                                              language=understood.language, name=understood.name,
                                              about_listing=step.handoff_reason == stages.LISTING_HANDOFF)
            reply_text = (_fit_as_written(offer.text, inbound=text) if offer is not None else
                          stages.template_reply(step, understood.name, False, understood.language))
        try:
            with transaction.atomic():
                reply = outbound_queue(contact=contact, body=reply_text, reply_to=inbound,
                                       author=Author.HANDOFF if step.handoff_reason else Author.BOT)
        except IntegrityError:  # another run of this turn stored its reply first
            return TurnResult(Message.objects.get(reply_to=inbound), skipped="already answered")
        if offer is not None:
            offer.record(reply)
        # A question starts the follow-up clock again; a close ends the follow-ups (a handoff did in _apply).
        if step.action == stages.Action.ASK:
            follow_up_start(contact=contact, anchor_at=reply.created_at)
        elif step.action == stages.Action.CLOSE:
            follow_up_stop(contact=contact, reason=step.close_reason)
    remember_message(cache, inbound)
    remember_message(cache, reply)
    return TurnResult(reply, calls=call.records, intent=understood.intent, handoff_reason=step.handoff_reason)


def _booking_turn(call: "_CallRunner", contact: Contact, conversation: Conversation, inbound: Message,
                  understood: "_Understood", memory) -> TurnResult | None:
    """The prospect answers the times they were offered, or cancels or moves their appointment (booking): its reply
    goes out even while the bot is paused for the agent; the text is an answer to the offer, not qualification, so
    it sets no fact."""
    with transaction.atomic():
        answered = booking.answer(contact=contact, inbound=inbound, language=understood.language)
        if answered is None:
            return None
        call.memory_unused(memory)
        # The text answers the offer ("the second one works"): read as qualification it would only mislead (an
        # "area" named "Second One Works"), so the contact's facts and standing stay as they were.
        kept = _Understood.as_it_was(contact, intent=understood.intent, language=understood.language)
        _apply(contact, conversation, kept, asked_slot=conversation.asked_slot, handoff_reason="", closed=None)
        try:
            with transaction.atomic():
                reply = outbound_queue(contact=contact, body=_fit_as_written(answered.text, inbound=inbound.body),
                                       reply_to=inbound, author=Author.HANDOFF)
        except IntegrityError:  # another run of this turn stored its reply first: its booking stands, not this one
            stored = Message.objects.filter(reply_to=inbound).first()
            transaction.set_rollback(True)
            return TurnResult(stored, skipped="already answered")
        answered.record(reply)
    remember_message(call.cache, inbound)
    remember_message(call.cache, reply)
    return TurnResult(reply, calls=call.records, intent=understood.intent)


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
    answered_other: bool = False  # the text told something new (a fact, or a name at last) besides any answer
    held_as: str = ""             # the injection limit the text is outside of ("" when it was read)

    @classmethod
    def as_it_was(cls, contact: Contact, *, intent: Intent, language: str, held_as: str = "") -> "_Understood":
        """A text that moves nothing: the contact's facts, name, lead type, scores and temperature as they stand.
        `held_as`: the injection limit that held it, "" for a text that moves nothing for another reason."""
        return cls(intent=intent, facts=dict(contact.facts or {}), lead_type=contact.lead_type, name=contact.name,
                   language=language, frs=contact.frs_score, pcs=contact.pcs_score, temperature=contact.temperature,
                   injection=bool(held_as), held_as=held_as)


def _memory_call(call: "_CallRunner", contact: Contact, text: str) -> "_UnplannedMemory | dict":
    """The memory call the turn may make, or, when the conversation fits in the recent window, the memory itself:
    with fewer messages than the window holds, the window is the whole conversation, with no older message for the
    search to add. What the memory call would pick from it, the reply can be told as it is."""
    recent, _tier = recent_messages(call.cache, contact, RECENT_MESSAGES)
    if len(recent) < RECENT_MESSAGES:
        return call.memory_not_needed(text, recent)
    return _UnplannedMemory(call, text, recent)


@dataclass
class _UnplannedMemory:
    """A memory call not planned yet: the search for similar older messages (a pgvector query) is made only when
    the call is, so a turn answered by a shared reply never pays for it. Nothing the turn writes before its reply
    changes what the search finds (the inbound's embedding is stored first)."""

    call: "_CallRunner"
    text: str
    recent: list[dict]

    def plan(self) -> "_Planned":
        older = [message_item(m) for m in lead_selectors.similar_older_messages(
            self.call.contact, self.call.inbound.embedding, exclude_ids=[m["id"] for m in self.recent],
            limit=SIMILAR_OLDER_MESSAGES)]
        return self.call.plan_memory(self.text, self.call.question, self.recent + older)


def _likely_shared(context: TextInContext, *, injection: bool) -> bool:
    """Whether the turn's reply is likely its dialogue state's shared reply, judged before the model has read the
    text: the text passes what `state_replies.on_script` asks of a text, and the offline reader (leads.reader, well
    under a millisecond) reads an intent that such a reply answers."""
    if settings.BOT_REPLY_MODE != state_replies.SHARED or not state_replies.text_may_be_on_script(context.text,
                                                                                                    injection=injection):
        return False
    return RuleBasedProvider().intent(context).intent in state_replies.LIKELY_ON_SCRIPT_INTENTS


def _understand(call: "_CallRunner", contact: Contact, context: TextInContext, memory_call: "_Planned | None", *,
                steering: str) -> tuple[_Understood, dict | None]:
    """What the text says (intent and facts, with `memory_call` in the same wave when given: its value is returned
    with the understanding). `steering`: why the text looks like injection, "" when it does not."""
    text = context.text
    planned = [call.plan_shared(CallKind.INTENT, context), call.plan_shared(CallKind.FACTS, context)]
    if memory_call is not None:
        planned.append(memory_call)
    answers = call.together(planned)
    memory = answers[2] if memory_call is not None else None
    intent = Intent(answers[0]["intent"])
    stated = FactsAnswer.model_validate(answers[1])
    # The answer is held to the same limits as the text (Claude may have decoded or followed what the text hid):
    # a value shaped like data or spoken about "the lead" means the text steered it.
    steering = steering or _answer_outside_limits(stated)
    if stated.name and not name_in_text(stated.name, text):
        logger.warning("contact %s: message %s: the name %r is not in the text; not taken", contact.pk,
                       call.inbound.pk, stated.name)
        stated = stated.model_copy(update={"name": ""})
    facts = merge_facts(contact.facts, clean_facts(stated.facts.model_dump()), replaces=stated.replaces)
    lead_type = stages.lead_type_from(intent, stated.lead_type or "", stated.corrects_lead_type, facts, contact.lead_type)
    scores = call.scoring(lead_type, facts, wants_appointment=intent == Intent.APPOINTMENT)
    if steering:
        # Whatever the reader or the model made of it, the contact stays as it was: no fact, name, lead type, score
        # or temperature moves, and the intent (a handoff, an appointment) is dropped.
        logger.warning("contact %s: message %s looks like prompt injection (%s); nothing it says is applied",
                       contact.pk, call.inbound.pk, steering)
        return _Understood.as_it_was(contact, intent=Intent.OTHER, language=detect_language(text) or contact.language,
                                     held_as=steering), memory
    told = {slot for slot, value in facts.items() if value != (contact.facts or {}).get(slot)}
    if stated.name and not contact.name:
        told.add("name")
    return _Understood(intent=intent, facts=facts, lead_type=lead_type, name=contact.name or stated.name,
                       language=detect_language(text) or contact.language, frs=scores["frs"], pcs=scores["pcs"],
                       temperature=scores["temperature"], injection=False,
                       answered_other=bool(told - stages.slot_facts(context.asked_slot))), memory


def _answer_outside_limits(stated: FactsAnswer) -> str:
    """"answer:<limit>" when a word value of the facts answer (a name, an address, a condition, a motivation, an
    area) is shaped like data or markup or speaks of the prospect or the bot's machinery; "" otherwise."""
    facts = stated.facts
    values = [stated.name, facts.address, facts.condition, facts.motivation, *facts.areas]
    kind = stated_kind([value for value in values if value])
    return f"answer:{kind}" if kind else ""


def _reply_text(call: "_CallRunner", contact: Contact, understood: _Understood, step: stages.Step, text: str,
                memory: "dict | _UnplannedMemory", *, answered: str | None) -> str:
    """`answered` is None for an off-script turn, else the slot the bot had asked for ("" when none): an on-script
    turn is answered from its dialogue state's shared reply when the operator's setting allows it. `memory` is the
    memory, or the memory call not made yet: a personal reply makes it now."""
    # A turn after the bot's question is not the first (no query needed for that); otherwise any text sent counts.
    first_turn = not call.question and not Message.objects.filter(contact=contact,
                                                                  direction=Direction.OUTBOUND).exists()
    fallback = stages.template_reply(step, understood.name, first_turn, understood.language)
    if answered is not None and settings.BOT_REPLY_MODE == state_replies.SHARED:
        values = state_replies.placeholder_values(understood.name, understood.facts)
        state = state_replies.state_for(
            step, first_turn=first_turn, language=understood.language, values=values,
            answered=state_replies.answered_slot(answered, facts=understood.facts, name=understood.name,
                                                 lead_type=understood.lead_type))
        shared = call.state_reply(state, values)
        if shared is not None:
            call.memory_unused(memory)
            return _fit_for_sms(shared, inbound=text, facts=understood.facts, fallback=fallback)
    memory = call.memory_value(memory)
    brief = ReplyBrief(stage=step.bot, inbound=text, name=understood.name, facts=understood.facts,
                       next_question=step.next_question, handoff_reason=step.handoff_reason,
                       memory=memory.get("summary", ""), fallback_reply=fallback, language=understood.language,
                       action=step.action, preface=step.preface)
    return _fit_for_sms(call.reply(brief), inbound=text, facts=understood.facts, fallback=fallback)


def _apply(contact: Contact, conversation: Conversation, understood: _Understood, *, asked_slot: str,
           handoff_reason: str, closed: str | None, bot: str | None = None, passed: list[str] | None = None,
           asked_again: bool = False) -> None:
    contact_apply_turn(contact=contact, name=understood.name, lead_type=understood.lead_type, facts=understood.facts,
                       frs=understood.frs, pcs=understood.pcs, temperature=understood.temperature,
                       bot=bot or conversation.active_bot, asked_slot=asked_slot, handoff_reason=handoff_reason,
                       language=understood.language, closed_reason=closed, passed_slots=passed, asked_again=asked_again)


def _handled_without_reply(inbound: Message, reason: str) -> TurnResult:
    message_mark_handled(message=inbound)
    return TurnResult(None, skipped=reason)


@dataclass
class _Planned:
    """A call to look up in the cache (with its wave's others); on a miss, `compute` asks the model (HTTP only: no
    database in it)."""

    kind: CallKind
    request: LookupRequest
    compute: Callable[[], object]
    inputs: tuple
    pending: PendingCall | None = None


@lru_cache(maxsize=1)
def _call_pool() -> ThreadPoolExecutor:
    # Created on first use, so each (forked) worker process gets its own threads. A turn has at most three
    # concurrent calls; the pool is shared by the process's turns.
    return ThreadPoolExecutor(max_workers=6, thread_name_prefix="turn-call")


class _CallRunner:
    """Runs each of the turn's calls through the cache with its kind, scope, key and the turn's context."""

    def __init__(self, cache: LLMCache, provider: TurnProvider, contact: Contact, inbound: Message, question: str,
                 velocity: float):
        self.cache, self.provider, self.contact, self.inbound = cache, provider, contact, inbound
        self.question, self.velocity = question, velocity
        self.records: dict[CallKind, CallRecord] = {}
        self.waves = 0
        # The vector the semantic tier matches this text by: computed once for all the turn's look-ups.
        self.semantic_embedding = embedding_for(inbound.body, question)

    def _model_call(self, kind: CallKind, *args, deferred_rows: list | None = None):
        context = CallContext(kind=kind, prompt_version=version_for(kind), contact_id=self.contact.pk,
                              message_id=self.inbound.pk, deferred_rows=deferred_rows)
        return lambda: self.provider.call(kind, context, *args)

    def _plan(self, kind: CallKind, scope: Scope, key_parts, compute, *, semantic: bool, inputs: tuple,
              model: str | None = None, partition: str = "") -> _Planned:
        request = LookupRequest(
            kind, scope, key_parts, text=self.inbound.body if semantic else None, context=self.question,
            partition=partition, model=model or self.provider.model_for(kind), prompt_version=version_for(kind),
            embedding=self.semantic_embedding if semantic else None,
        )
        return _Planned(kind, request, compute, inputs)

    def together(self, planned: list[_Planned]) -> list:
        """The values of planned calls, in order, as one wave: they are looked up together (one round trip per
        tier), the misses' model calls run concurrently (on the pool when there are several), and the cache stores
        their results on this thread."""
        self.waves += 1
        for p, pending in zip(planned, self.cache.look_up_many([p.request for p in planned])):
            p.pending = pending
        misses = [p for p in planned if p.pending.answered is None]
        deferred_rows: list = []
        futures = {}
        if len(misses) > 1:
            for p in misses:
                futures[p.kind] = _call_pool().submit(p.compute, deferred_rows)
        results: dict[CallKind, CacheResult] = {}
        failure = None
        for p in planned:
            if p.pending.answered is not None:
                results[p.kind] = p.pending.answered
                continue
            compute = futures[p.kind].result if p.kind in futures else lambda p=p: p.compute(None)
            try:  # every miss completes (and frees its single flight) even when another failed
                results[p.kind] = self.cache.complete(p.pending, compute, messages_per_minute=self.velocity)
            except Exception as exc:  # noqa: BLE001 - raised below, once the wave is complete
                failure = failure or exc
        save_deferred(deferred_rows)
        if failure is not None:
            raise failure
        for p in planned:
            result = results[p.kind]
            self.records[p.kind] = CallRecord(result.tier.value, result.value, result.lookup_ms, result.similarity,
                                              p.inputs, wave=self.waves)
        return [results[p.kind].value for p in planned]

    def _run(self, kind: CallKind, scope: Scope, key_parts, compute, *, semantic: bool, inputs: tuple,
             model: str | None = None) -> object:
        return self.together([self._plan(kind, scope, key_parts, lambda _rows: compute(), semantic=semantic,
                                         inputs=inputs, model=model)])[0]

    def plan_shared(self, kind: CallKind, text: TextInContext) -> _Planned:
        return self._plan(kind, Scope.shared(), text.key_parts(kind),
                          lambda rows: self._model_call(kind, text, deferred_rows=rows)(), semantic=True,
                          inputs=(text,), partition="|".join(map(str, text.partition(kind))))

    def scoring(self, lead_type: str, facts: dict, *, wants_appointment: bool) -> dict:
        # Computed in code from validated facts, cached per contact: a temperature change bumps the contact's
        # version, so the next turn recomputes instead of serving scores of the old temperature.
        return self._run(CallKind.SCORING, Scope.for_contact(self.contact), [lead_type, facts, wants_appointment],
                         lambda: asdict(score(lead_type, facts, wants_appointment=wants_appointment)), semantic=False,
                         inputs=(lead_type, facts, wants_appointment), model=f"scoring-code-v{SCORING_VERSION}")

    def plan_memory(self, text: str, question: str, messages: list[dict]) -> _Planned:
        ids = [m["id"] for m in messages]
        return self._plan(CallKind.MEMORY, Scope.for_contact(self.contact), [text, ids],
                          lambda rows: self._model_call(CallKind.MEMORY, text, messages, deferred_rows=rows)(),
                          semantic=False, inputs=(text, messages))

    def memory_not_needed(self, text: str, messages: list[dict]) -> dict:
        """The memory of a conversation that fits in the recent window: the window itself (bots.memory), recorded
        as a call not needed so that it counts as avoided, not as a hit or a miss."""
        value = whole_conversation(messages, current_id=self.inbound.pk)
        self.records[CallKind.MEMORY] = CallRecord(NOT_NEEDED, value, 0.0, None, (text, messages))
        self.cache.record_avoided(CallKind.MEMORY)
        return value

    def memory_value(self, memory: "dict | _UnplannedMemory") -> dict:
        """The memory, making the memory call (a wave of its own) if it was left until the reply needed it."""
        return self.together([memory.plan()])[0] if isinstance(memory, _UnplannedMemory) else memory

    def memory_unused(self, memory: "dict | _UnplannedMemory | None") -> None:
        """A memory call left until the reply needed it, which the reply did not: recorded as not needed (a call
        avoided, like a conversation that is its own memory), with the recent window it would have read (its
        search for older messages was never made)."""
        if isinstance(memory, _UnplannedMemory):
            self.records[CallKind.MEMORY] = CallRecord(NOT_NEEDED, {}, 0.0, None, (memory.text, memory.recent))
            self.cache.record_avoided(CallKind.MEMORY)

    def reply(self, brief: ReplyBrief) -> str:
        # Every input of the brief is in the key, so an exact hit is the reply the model would write again.
        parts = [brief.inbound, self.question, brief.stage, brief.next_question, brief.handoff_reason, brief.facts,
                 brief.name, brief.memory, brief.fallback_reply]
        value = self._run(CallKind.RESPONSE, Scope.for_contact(self.contact), parts,
                          self._model_call(CallKind.RESPONSE, brief), semantic=False, inputs=(brief,))
        return ReplyAnswer.model_validate(value).reply


    def state_reply(self, state: ReplyState, values: dict[str, str]) -> str | None:
        """The dialogue state's shared reply with this contact's values filled in, or None when the template is
        unusable (the turn then gets a personal reply). A rejected template is not cached; a cached one is checked
        again against the contact it is about to serve."""
        def compute():
            computed: Computed = self._model_call(CallKind.STATE_REPLY, state)()
            problem = state_replies.template_problem(computed.value["template"], state, values)
            if problem:
                logger.warning("state reply template rejected (%s): %r", problem, computed.value["template"])
                return Computed({"template": "", "rejected": problem}, computed.cost_usd, computed.tokens,
                                cacheable=False)
            return computed

        value = self._run(CallKind.STATE_REPLY, Scope.shared(), state.key_parts(), compute, semantic=False,
                          inputs=(state,))
        template = value.get("template", "")
        if not template or state_replies.template_problem(template, state, values):
            return None
        return state_replies.fill(StateReplyAnswer.model_validate(value).template, values)


def _fit_as_written(reply: str, *, inbound: str) -> str:
    """A reply written in code (booking's times and dates, which no model invented): only the alphabet and the
    segment budget to fit."""
    return fit_segments(reply if needs_unicode(inbound) else to_gsm7(reply), MAX_REPLY_SEGMENTS)


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

