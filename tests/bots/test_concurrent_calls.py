"""A turn's intent, facts and memory model calls are in flight at the same time; the reply waits for them. Proved
at the HTTP layer: the fake Anthropic server holds each request until the other two have arrived (a sequential turn
would time out on the first). A text that reads as an on-script answer leaves memory out of that wave: its reply is
most likely its state's shared one, which reads no memory. Real bots, real cache tiers, real database."""

import json
import threading

import pytest
from django.test import override_settings

from bots.models import CallOutcome, LLMCall, Provider
from bots.services import NOT_NEEDED, RECENT_MESSAGES, run_turn
from caching.services import LLMCache
from leads.services import message_record_inbound
from tests.support.conversations import converse
from tests.support.fake_claude import KIND_BY_PROMPT, FakeClaude, claude_provider

pytestmark = pytest.mark.django_db

CONCURRENT_KINDS = {"intent", "facts", "memory"}


class HoldsUntilAllArrive(FakeClaude):
    """Holds each intent, facts and memory request until all three are in flight (or `wait_seconds` passed),
    and records which were in flight together; the reply is answered at once."""

    def __init__(self, meanings=None, wait_seconds=5.0):
        super().__init__(meanings)
        self.hold = False
        self.wait_seconds = wait_seconds
        self.lock = threading.Condition()
        self.in_flight: set[str] = set()
        self.seen_together: list[set[str]] = []
        self.response_after: list[set[str]] = []  # what was still in flight when the reply was asked

    failing_kind = ""  # every request of this kind gets `failure` (an HTTP status or "timeout")
    failure = None

    def handle(self, request):
        kind = KIND_BY_PROMPT[json.loads(request.content)["system"][0]["text"]]
        if self.hold and kind == self.failing_kind:
            self.failures = [self.failure]
        return super().handle(request)

    def answer(self, kind, user):
        if not self.hold:
            return super().answer(kind, user)
        with self.lock:
            if kind == "response":
                self.response_after.append(set(self.in_flight))
                return super().answer(kind, user)
            self.in_flight.add(kind)
            self.seen_together.append(set(self.in_flight))
            self.lock.notify_all()
            self.lock.wait_for(lambda: CONCURRENT_KINDS <= self.in_flight | self.arrived(), self.wait_seconds)
            self.in_flight.discard(kind)
        return super().answer(kind, user)

    def arrived(self) -> set[str]:
        return set().union(*self.seen_together) if self.seen_together else set()


def long_conversation(fake):
    """A contact with more messages than the recent window, so the next turn makes the memory call."""
    # Questions back: each is answered and the first question asked again (a reply that answers nothing would be
    # passed, and after two the bot closes politely).
    texts = [f"how does this work, question {n}?" for n in range(1, RECENT_MESSAGES // 2 + 1)]
    fake.meanings.update({text: ("question", {}) for text in texts})
    contact, turns = converse("+15125550601", texts, claude_provider(fake), LLMCache())
    assert turns[-1].reply is not None
    return contact


def next_turn(contact, fake, body):
    message, _ = message_record_inbound(contact=contact, body=body, twilio_sid=None)
    return run_turn(message.pk, provider=claude_provider(fake), cache=LLMCache())


def test_intent_facts_and_memory_are_in_flight_together_and_the_reply_waits():
    fake = HoldsUntilAllArrive()
    contact = long_conversation(fake)
    fake.hold = True
    result = next_turn(contact, fake, "something nobody said before")
    assert result.reply is not None
    assert {"intent", "facts", "memory"} in fake.seen_together  # all three at once, on the wire
    assert fake.response_after == [set()]  # the reply was asked after all three had answered
    assert {result.tiers[kind] for kind in CONCURRENT_KINDS} == {"miss"}
    waves = {kind: call.wave for kind, call in result.calls.items()}
    assert waves["intent"] == waves["facts"] == waves["memory"] < waves["scoring"] < waves["response"]
    # The calls made on the pool's threads have their ledger rows, saved by the turn's thread.
    rows = LLMCall.objects.filter(message_id=result.reply.reply_to_id, provider=Provider.ANTHROPIC)
    assert sorted(rows.values_list("kind", flat=True)) == ["facts", "intent", "memory", "response"]


@pytest.mark.parametrize("failure", [500, "timeout"])
def test_a_failing_concurrent_call_falls_back_alone(failure):
    fake = HoldsUntilAllArrive(wait_seconds=1.0)
    contact = long_conversation(fake)
    fake.hold = True
    fake.failing_kind, fake.failure = "facts", failure  # the facts request fails, and its SDK retry too
    with override_settings(ANTHROPIC_MAX_RETRIES=1):
        result = next_turn(contact, fake, "another text nobody said before")
    assert result.reply is not None
    message_id = result.reply.reply_to_id
    fallbacks = list(LLMCall.objects.filter(message_id=message_id, provider=Provider.FALLBACK).values_list("kind", flat=True))
    errors = LLMCall.objects.filter(message_id=message_id, outcome=CallOutcome.ERROR).count()
    assert fallbacks == ["facts"] and errors == 1
    assert {"intent", "memory"} in fake.seen_together  # the others were still asked together
    answered = LLMCall.objects.filter(message_id=message_id, provider=Provider.ANTHROPIC, outcome=CallOutcome.OK)
    assert sorted(answered.values_list("kind", flat=True)) == sorted(CONCURRENT_KINDS - set(fallbacks) | {"response"})
    # The degraded answer is used but not cached: the same text again asks Claude for that call.
    fake.hold = False
    again = next_turn(contact, fake, "another text nobody said before")
    assert again.tiers[fallbacks[0]] == "miss"


def test_a_long_conversations_on_script_answer_gets_its_states_shared_reply_without_the_memory_call():
    fake = HoldsUntilAllArrive({"we want to buy a house": ("buyer", {}, {"lead_type": "buyer"})})
    contact = long_conversation(fake)
    asked_before = len(fake.answered)
    result = next_turn(contact, fake, "we want to buy a house")
    # A shared reply reads no memory, and the offline reader saw an answer it gives: the call was never made.
    assert "memory" not in fake.answered[asked_before:]
    assert result.tiers["memory"] == NOT_NEEDED and result.avoided == ["memory"]
    assert "state_reply" in result.calls and "response" not in result.calls


def test_a_short_text_that_turns_out_personal_makes_the_memory_call_once_the_reply_needs_it():
    fake = HoldsUntilAllArrive()  # Claude reads "ok sounds good" as "other": a personal reply, which reads memory
    contact = long_conversation(fake)
    result = next_turn(contact, fake, "ok sounds good")
    assert result.tiers["memory"] == result.tiers["response"] == "miss"
    waves = {kind: call.wave for kind, call in result.calls.items()}
    # The offline reader read an on-script answer, so memory was left out of the understanding's wave.
    assert waves["intent"] == waves["facts"] < waves["memory"] < waves["response"]


def test_a_question_in_a_long_conversation_makes_the_memory_call_with_intent_and_facts():
    fake = HoldsUntilAllArrive()
    contact = long_conversation(fake)
    result = next_turn(contact, fake, "ok but what happens next?")  # a question is never answered by a shared reply
    waves = {kind: call.wave for kind, call in result.calls.items()}
    assert waves["intent"] == waves["facts"] == waves["memory"] < waves["response"]
