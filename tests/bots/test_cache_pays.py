"""A cache that pays: intent and facts of one text after one question are computed once for every contact and kept
for days; a short conversation's memory is the conversation itself, no call. Real bots, real cache tiers, real
database; Claude faked at the HTTP layer."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from bots import prompts
from bots.services import NOT_NEEDED, RECENT_MESSAGES
from caching.policy import CallKind
from caching.services import LLMCache
from tests.support.conversations import converse
from tests.support.fake_claude import FakeClaude, claude_provider

pytestmark = pytest.mark.django_db

BUY = "we want to buy a house"
MEANINGS = {
    BUY: ("buyer", {}, {"lead_type": "buyer"}),
    "Ann": ("provide_info", {}, {"name": "Ann"}),
    "Bob": ("provide_info", {}, {"name": "Bob"}),
    "Pre-approved!!": ("provide_info", {"financing": "pre_approved"}),
    "4 bedrooms": ("buyer", {"bedrooms": 4}),
    "5 bedrooms": ("buyer", {"bedrooms": 5}),
}


class GreetsByName(FakeClaude):
    """Words every question with a greeting by name, as Claude does: each contact's question is worded its own way."""

    def answer(self, kind, user):
        if kind == "response":
            brief = json.loads(user)
            if brief["prospect_name"] and not brief["handoff"]:
                return {"reply": f"Thanks, {brief['prospect_name']}! {brief['next_question']}"}
        return super().answer(kind, user)


def asked_since(fake, start):
    return fake.answered[start:]


def test_two_ways_of_writing_one_answer_after_one_question_share_one_computation():
    fake = GreetsByName(MEANINGS)
    provider = claude_provider(fake)
    ann, ann_turns = converse("+15125550401", [BUY, "Ann", "Pre-approved!!"], provider, LLMCache())
    assert ann_turns[2].tiers["intent"] == ann_turns[2].tiers["facts"] == "miss"
    # The prompt carries the prospect's own text and the question as it was worded to them; only the key is canonical.
    prompts = [request["messages"][0]["content"] for request in fake.requests]
    assert any("<sms>Pre-approved!!</sms>" in prompt and "Thanks, Ann!" in prompt for prompt in prompts)

    start = len(fake.answered)
    bob, bob_turns = converse("+15125550402", [BUY, "Bob", "pre approved"], provider, LLMCache())  # another worker
    assert "Thanks, Bob!" in bob_turns[1].reply.body  # asked in other words than Ann was
    assert bob_turns[2].tiers["intent"] == bob_turns[2].tiers["facts"] == "L2"
    assert bob.facts == {"financing": "pre_approved"}  # Ann's computation, served
    # Claude was asked for Bob's intent and facts once only: for his name, the one text nobody had sent before.
    assert asked_since(fake, start).count("intent") == asked_since(fake, start).count("facts") == 1


def test_a_different_number_is_a_different_computation():
    fake = FakeClaude(MEANINGS)
    provider = claude_provider(fake)
    four, _ = converse("+15125550403", ["4 bedrooms"], provider, LLMCache())
    start = len(fake.answered)
    five, turns = converse("+15125550404", ["5 bedrooms"], provider, LLMCache())
    assert turns[0].tiers["intent"] == turns[0].tiers["facts"] == "miss"
    # The reply is the dialogue state's (a new buyer, asked for a name next), which the first contact's turn wrote.
    assert sorted(asked_since(fake, start)) == ["facts", "intent"] and turns[0].tiers["state_reply"] == "L2"
    assert (four.facts["bedrooms"], five.facts["bedrooms"]) == (4, 5)


def test_a_cached_intent_is_served_days_later_until_its_ttl():
    fake = FakeClaude(MEANINGS)
    provider = claude_provider(fake)
    converse("+15125550405", [BUY], provider, LLMCache())
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        start = len(fake.answered)
        _, turns = converse("+15125550406", [BUY], provider, LLMCache())
        assert turns[0].tiers["intent"] == "L2" and "intent" not in asked_since(fake, start)
        # The text names no calendar point, so its facts say the same on any day: served too.
        assert turns[0].tiers["facts"] == "L2" and "facts" not in asked_since(fake, start)
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        _, turns = converse("+15125550407", [BUY], provider, LLMCache())
        assert turns[0].tiers["intent"] == "miss"  # past the 30 days


@pytest.mark.parametrize("text, dated", [("spring", True), ("400k", False)])
def test_facts_of_a_text_that_names_a_calendar_point_are_shared_within_its_day_only(text, dated):
    """ "spring" is days until spring from the day it was sent; "400k" is 400k on any day."""
    meanings = {**MEANINGS, "spring": ("provide_info", {"timeline_days": 120}),
                "400k": ("provide_info", {"budget_max": 400000})}
    fake = FakeClaude(meanings)
    provider = claude_provider(fake)
    converse("+15125550413", [BUY, "Ann", text], provider, LLMCache())
    _, same_day = converse("+15125550414", [BUY, "Bob", text], provider, LLMCache())
    assert same_day[2].tiers["facts"] == "L2"  # another contact, the same day: shared either way
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        start = len(fake.answered)
        _, next_day = converse("+15125550415", [BUY, "Bob", text], provider, LLMCache())
        assert next_day[2].tiers["intent"] == "L2"
        assert next_day[2].tiers["facts"] == ("miss" if dated else "L2")
        assert asked_since(fake, start).count("facts") == (1 if dated else 0)
    # The key says why: the date is in the dated text's key and partition, not in the other's.
    context = next_day[2].calls["facts"].inputs[0]
    assert (context.date.isoformat() in context.partition(CallKind.FACTS)) is dated
    assert context.date.isoformat() not in context.partition(CallKind.INTENT)


def test_a_new_prompt_version_misses(monkeypatch):
    fake = FakeClaude(MEANINGS)
    provider = claude_provider(fake)
    converse("+15125550408", [BUY], provider, LLMCache())
    monkeypatch.setattr("bots.prompts.PROMPT_VERSION", "2099-01-01.1")
    start = len(fake.answered)
    _, turns = converse("+15125550409", [BUY], provider, LLMCache())
    assert turns[0].tiers["intent"] == turns[0].tiers["facts"] == "miss"
    # The state reply's prompt has a version of its own, unchanged: its template is still served.
    assert sorted(asked_since(fake, start)) == ["facts", "intent"] and turns[0].tiers["state_reply"] == "L2"
    monkeypatch.setitem(prompts.PROMPT_VERSIONS, "state_reply", "2099-01-01.1")
    _, turns = converse("+15125550412", [BUY], provider, LLMCache())
    assert turns[0].tiers["state_reply"] == "miss"


def test_a_conversation_within_the_recent_window_makes_no_memory_call():
    fake = FakeClaude(MEANINGS)
    contact, turns = converse("+15125550410", [BUY, "Ann"], claude_provider(fake), LLMCache())
    assert contact.messages.count() == 4  # the second turn saw three messages: two texts and the reply between
    assert "memory" not in fake.answered
    assert [t.avoided for t in turns] == [["memory"], ["memory"]]
    memory = turns[1].calls["memory"]
    assert memory.tier == NOT_NEEDED and memory.lookup_ms == 0
    first_text, first_reply = contact.messages.order_by("id")[:2]
    assert memory.value["message_ids"] == [first_text.pk, first_reply.pk]
    assert memory.value["summary"].startswith(f"prospect: {BUY} | we: ")


def test_a_conversation_longer_than_the_window_asks_for_memory():
    # Questions back: each is answered and the bot keeps asking (texts that answer nothing would be passed, and
    # after two the bot closes politely).
    texts = [f"how does this work, question {n}?" for n in range(1, 7)]
    fake = FakeClaude({**MEANINGS, **{text: ("question", {}) for text in texts}})
    contact, turns = converse("+15125550411", texts, claude_provider(fake), LLMCache())
    assert all(t.reply is not None for t in turns)
    # Turn 5 sees nine messages, within the window; turn 6 sees eleven, one more than the window holds.
    assert [t.tiers["memory"] for t in turns] == [NOT_NEEDED] * 5 + ["miss"]
    assert fake.answered.count("memory") == 1
    memory_request = next(r for r in fake.requests if "Earlier messages" in r["messages"][0]["content"])
    # The window's ten and the one older text the similarity search adds: everything the turn had.
    assert memory_request["messages"][0]["content"].count("\n[") == RECENT_MESSAGES + 1 == 11
