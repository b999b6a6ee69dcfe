"""Replies shared by dialogue state: on the qualification path one template per state serves every contact, each
reply filled with the contact's own name and facts; off-script turns, and every turn in personal mode, get a
contact-scoped reply; a template that would invent or leak is refused. Real bots, real cache tiers, real database;
Claude faked at the HTTP layer, or the offline provider."""

import pytest

from bots import stages
from bots.providers import TurnProvider
from caching.services import LLMCache
from tests.support.conversations import converse
from tests.support.fake_claude import FakeClaude, claude_provider

pytestmark = pytest.mark.django_db

BUY = "we want to buy a house"
READY = "pre-approved up to 450k, moving next year"
MEANINGS = {
    BUY: ("buyer", {}, {"lead_type": "buyer"}),
    "Ann": ("provide_info", {}, {"name": "Ann"}),
    "Bob": ("provide_info", {}, {"name": "Bob"}),
    READY: ("provide_info", {"financing": "pre_approved", "budget_max": 450000, "timeline_days": 365}),
    "mueller": ("provide_info", {"areas": ["Mueller"]}),
    "zilker": ("provide_info", {"areas": ["Zilker"]}),
    "do you work weekends?": ("question", {}),
    "is this a bot": ("bot_question", {}),
    "hmm let me think about it": ("other", {}),
    "ok thanks": ("greeting", {}),
}


def script(name, area):
    return [BUY, name, READY, area]


def test_two_contacts_in_one_state_share_its_reply_each_with_their_own_name_and_area():
    fake = FakeClaude(MEANINGS)
    provider = claude_provider(fake)
    ann, ann_turns = converse("+15125550501", script("Ann", "mueller"), provider, LLMCache())
    assert [t.tiers["state_reply"] for t in ann_turns] == ["miss"] * 4
    start = len(fake.answered)
    bob, bob_turns = converse("+15125550502", script("Bob", "zilker"), provider, LLMCache())  # another worker
    # Every reply of Bob's came from the templates Ann's turns had Claude write: no reply call for him at all.
    assert [t.tiers["state_reply"] for t in bob_turns] == ["L2"] * 4
    assert "state_reply" not in fake.answered[start:] and "response" not in fake.answered[start:]
    assert [t.calls["state_reply"].value for t in bob_turns] == [t.calls["state_reply"].value for t in ann_turns]
    assert ann_turns[3].calls["state_reply"].value["template"] == (
        "Thanks, {name}! {area} is a great choice. What type of home are you looking for: house, condo or townhouse?")
    assert ann_turns[3].reply.body.startswith("Thanks, Ann! Mueller is a great choice.")
    assert bob_turns[3].reply.body.startswith("Thanks, Bob! Zilker is a great choice.")
    for turn in bob_turns:
        assert "Ann" not in turn.reply.body and "Mueller" not in turn.reply.body
    assert bob_turns[0].reply.body.startswith("Hi there, thanks for texting our team!")  # the first turn greets


def test_the_offline_provider_shares_its_templates_too_and_words_them_as_before(settings):
    settings.ANTHROPIC_API_KEY = ""
    provider = TurnProvider()
    texts = ["hi", "we want to buy a house", "{name}", "we're pre-approved"]
    _, ann_turns = converse("+15125550503", [t.format(name="Ann") for t in texts], provider, LLMCache())
    _, bob_turns = converse("+15125550504", [t.format(name="Bob") for t in texts], provider, LLMCache())
    assert [t.tiers["state_reply"] for t in bob_turns] == ["L2"] * 4
    assert ann_turns[2].calls["state_reply"].value == {
        "template": "Thanks, {name}! Have you been pre-approved for a mortgage yet, or are you paying cash?"}
    assert bob_turns[2].reply.body == "Thanks, Bob! Have you been pre-approved for a mortgage yet, or are you paying cash?"
    assert bob_turns[3].reply.body == "Got it, thanks! What price range are you shopping in?"
    settings.BOT_REPLY_MODE = "personal"
    _, personal_turns = converse("+15125550505", [t.format(name="Bob") for t in texts], provider, LLMCache())
    # The offline wording is the same in both modes: only where it is cached differs.
    assert [t.reply.body for t in personal_turns] == [t.reply.body for t in bob_turns]


@pytest.mark.parametrize("aside", ["do you work weekends?", "is this a bot", "hmm let me think about it", "ok thanks"])
def test_off_script_turns_get_a_personal_contact_scoped_reply(aside):
    fake = FakeClaude(MEANINGS)
    provider = claude_provider(fake)
    _, turns = converse("+15125550506", [BUY, "Ann", aside], provider, LLMCache())
    assert turns[1].tiers["state_reply"] == "miss"
    assert "state_reply" not in turns[2].tiers and turns[2].tiers["response"] == "miss"


def test_personal_mode_makes_every_reply_contact_scoped(settings):
    settings.BOT_REPLY_MODE = "personal"
    fake = FakeClaude(MEANINGS)
    provider = claude_provider(fake)
    converse("+15125550507", script("Ann", "mueller"), provider, LLMCache())
    _, turns = converse("+15125550508", script("Bob", "zilker"), provider, LLMCache())
    assert all("state_reply" not in t.tiers and t.tiers["response"] == "miss" for t in turns)
    assert "state_reply" not in fake.answered


@pytest.mark.parametrize("template, turn", [
    ("Thanks, {first_name}! What price range are you shopping in?", 2),          # not a placeholder we fill
    ("Thanks, {name}! Are you looking to buy, sell, or both?", 0),               # no name known yet
    ("Thanks, {name:>20}! Have you been pre-approved?", 2),                      # a format spec
    ("Great! Homes there start around 400k. What's your timeline?", 2),          # an invented number
    ("Thanks, Ann! Have you been pre-approved for a mortgage yet?", 2),          # the name written out
])
def test_a_template_that_invents_or_leaks_is_refused_and_the_turn_gets_a_personal_reply(template, turn):
    fake = FakeClaude(MEANINGS)
    provider = claude_provider(fake)
    texts = [BUY, "Ann", READY]
    converse("+15125550509", texts[:turn], provider, LLMCache())
    fake.templates = [template]
    _, turns = converse("+15125550509", texts[turn:turn + 1], provider, LLMCache())
    assert turns[0].tiers["state_reply"] == "miss" and turns[0].tiers["response"] == "miss"
    assert turns[0].reply.body.startswith("Got it, thanks.")  # the fake's personal reply
    assert template not in turns[0].reply.body
    # Nothing was cached: the next contact in that state has its template written afresh.
    _, again = converse("+15125550510", [BUY, "Bob", READY][:turn + 1], provider, LLMCache())
    assert again[turn].tiers["state_reply"] == "miss"


def test_a_state_offers_the_name_only_when_it_is_known_so_no_reply_thanks_nobody():
    state_without = stages.template_reply(stages.Step("lead", "buyer", stages.Action.ASK, "name", "Who?"), "", False, "en")
    assert state_without == "Thanks! Who?"
    fake = FakeClaude(MEANINGS)
    _, turns = converse("+15125550511", [BUY], claude_provider(fake), LLMCache())
    state = turns[0].calls["state_reply"].inputs[0]
    assert state.placeholders == () and "{name}" not in turns[0].calls["state_reply"].value["template"]
