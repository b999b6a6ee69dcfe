"""Every intent the prompts define has its branch when the intent comes from Claude too (faked at the HTTP layer:
the anthropic SDK runs for real): an opt-out in words goes through the same suppression service as STOP, the bot
question gets the honest answer, a renter is closed without a mortgage question, questions only an agent can
answer are handed off."""

import pytest

from bots.services import run_turn
from caching.services import LLMCache
from leads.models import Author, Contact, Direction, LeadType, Message
from leads.services import contact_get_or_create, message_record_inbound
from tests.support.fake_claude import FakeClaude, claude_provider

pytestmark = pytest.mark.django_db

# Texts the offline reader would not necessarily read the same way: what the turn does here comes from Claude's
# (validated) intent.
OPENING = ("hi there, got your number from a sign", ("greeting", {}))


def say(contact, fake, text, number):
    message, _ = message_record_inbound(contact=contact, body=text, twilio_sid=f"SMclaude{contact.pk:04d}{number:04d}{'x' * 18}")
    return run_turn(message.pk, provider=claude_provider(fake), cache=LLMCache())


def test_an_opt_out_read_by_claude_suppresses_the_contact_with_one_confirmation():
    text = "kindly refrain from contacting this number going forward"
    fake = FakeClaude(dict([OPENING, (text, ("opt_out", {}))]))
    contact, _ = contact_get_or_create(phone="+15125550301")
    say(contact, fake, OPENING[0], 1)
    result = say(contact, fake, text, 2)
    contact.refresh_from_db()
    assert result.skipped == "opted out in words"
    assert contact.opted_out
    confirmations = Message.objects.filter(contact=contact, direction=Direction.OUTBOUND, author=Author.SYSTEM)
    assert confirmations.count() == 1
    later = say(contact, fake, "hello?", 3)
    assert later.skipped == "contact opted out"
    assert Message.objects.filter(contact=contact, direction=Direction.OUTBOUND).count() == 2  # first reply + confirmation


def test_a_bot_question_read_by_claude_gets_the_honest_answer_first():
    text = "wait am i chatting with an actual human"
    fake = FakeClaude(dict([OPENING, (text, ("bot_question", {}))]))
    contact, _ = contact_get_or_create(phone="+15125550302")
    say(contact, fake, OPENING[0], 1)
    say(contact, fake, text, 2)
    response_briefs = [r for r in fake.requests if r["system"][0]["text"].startswith(fake_prompt("response"))]
    assert "automated assistant" in response_briefs[-1]["messages"][0]["content"]
    contact.refresh_from_db()
    assert not contact.needs_agent and not contact.bot_paused


def test_a_renter_read_by_claude_is_closed_without_a_mortgage_question():
    text = "need a 2 bed apartment to lease near downtown"
    fake = FakeClaude(dict([OPENING, (text, ("renter", {}, {"lead_type": "renter"}))]))
    contact, _ = contact_get_or_create(phone="+15125550303")
    say(contact, fake, OPENING[0], 1)
    result = say(contact, fake, text, 2)
    contact.refresh_from_db()
    assert contact.lead_type != LeadType.BUYER
    assert "mortgage" not in result.reply.body.lower() and "pre-approved" not in result.reply.body.lower()
    result.reply.conversation.refresh_from_db()
    assert result.reply.conversation.closed_reason == "renter"
    assert not contact.needs_agent


@pytest.mark.parametrize("intent,text", [
    ("agent_question", "what commission do you guys charge"),
    ("listing_question", "is the blue house on 5th st still available"),
    ("wants_human", "have someone give me a ring this afternoon"),
])
def test_questions_only_an_agent_can_answer_are_handed_off(intent, text):
    fake = FakeClaude(dict([OPENING, ("we want to buy", ("buyer", {}, {"lead_type": "buyer"})), (text, (intent, {}))]))
    contact, _ = contact_get_or_create(phone=f"+1512555031{len(intent) % 10}")
    for number, line in enumerate([OPENING[0], "we want to buy", text]):
        result = say(contact, fake, line, number)
    contact.refresh_from_db()
    assert contact.needs_agent and contact.bot_paused
    assert result.handoff_reason and result.reply.author == Author.HANDOFF


def fake_prompt(kind):
    from tests.support.fake_claude import KIND_BY_PROMPT

    return next(prompt for prompt, name in KIND_BY_PROMPT.items() if name == kind)
