"""A turn's intent, facts and memory model calls are in flight at the same time; the reply waits for them. Proved
at the HTTP layer: the fake Anthropic server holds each request until the other two have arrived (a sequential turn
would time out on the first). Real bots, real cache tiers, real database."""

import json
import threading

import pytest
from django.test import override_settings

from bots.models import CallOutcome, LLMCall, Provider
from bots.services import RECENT_MESSAGES, run_turn
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
    texts = [f"hmm {n}" for n in range(1, RECENT_MESSAGES // 2 + 1)]
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
    result = next_turn(contact, fake, "what about something nobody asked before?")
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
        result = next_turn(contact, fake, "and another question nobody asked before?")
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
    again = next_turn(contact, fake, "and another question nobody asked before?")
    assert again.tiers[fallbacks[0]] == "miss"


BUY = "we want to buy a house"


def test_a_text_that_may_get_its_states_shared_reply_holds_the_memory_call_back_and_needs_none():
    fake = FakeClaude({BUY: ("buyer", {}, {"lead_type": "buyer"})})
    contact = long_conversation(fake)
    start = len(fake.answered)
    result = next_turn(contact, fake, BUY)
    # On the qualification path, however long the conversation: the dialogue state's reply, which reads no memory.
    assert "state_reply" in result.tiers and "response" not in result.tiers
    assert result.tiers["memory"] == "not_needed" and result.avoided == ["memory"]
    assert result.calls["memory"].inputs[1] == []  # no message was read for it
    assert "memory" not in fake.answered[start:]


def test_a_held_back_memory_call_is_made_in_a_wave_of_its_own_when_the_reply_is_personal():
    fake = FakeClaude()
    contact = long_conversation(fake)
    start = len(fake.answered)
    result = next_turn(contact, fake, "hmm 7")  # short, no question: it may have been on script; "other" is not
    assert result.tiers["memory"] == result.tiers["response"] == "miss" and "state_reply" not in result.tiers
    waves = {kind: call.wave for kind, call in result.calls.items()}
    assert waves["intent"] == waves["facts"] < waves["memory"] < waves["response"]
    assert fake.answered[start:][-2:] == ["memory", "response"]


@pytest.mark.parametrize("reply_mode, text", [("shared_by_state", "hmm, what do you need from me?"),
                                              ("personal", "hmm 7")])
def test_a_turn_known_to_be_personal_makes_its_memory_call_with_intent_and_facts(settings, reply_mode, text):
    settings.BOT_REPLY_MODE = reply_mode
    fake = FakeClaude()
    contact = long_conversation(fake)
    result = next_turn(contact, fake, text)
    assert result.tiers["memory"] == "miss"
    waves = {kind: call.wave for kind, call in result.calls.items()}
    assert waves["intent"] == waves["facts"] == waves["memory"] < waves["response"]
