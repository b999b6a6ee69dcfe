"""The reply guard (pure function) and the dialogue's decisions: the handoff rules, the next question, a branch for
every intent, and Spanish templates."""

import pytest

from bots import stages
from bots.services import _fit_for_sms
from leads.intents import Intent
from leads.models import LeadType, Temperature
from leads.reader import read


def test_replies_never_carry_numbers_nobody_said():
    fallback = "Thanks! What price range are you shopping in?"
    invented = _fit_for_sms("Great news, homes there start at $399,000!", inbound="hi", facts={}, fallback=fallback)
    assert invented == fallback
    echoed = _fit_for_sms("Got it, up to $450k in 78704.", inbound="we want 78704 under $450k", facts={}, fallback=fallback)
    assert echoed == "Got it, up to $450k in 78704."


def step_for(text, *, lead_type=LeadType.BUYER, facts=None, temperature=Temperature.COLD, name="Sam"):
    """The dialogue's decision for a text as the offline reader understands it."""
    reading = read(text, asked="timeline_days", lead_type=lead_type)
    return stages.next_step(lead_type=lead_type, name=name, name_asked=True, facts=facts or {}, intent=reading.intent,
                            temperature=temperature, closed=False, language="en")


@pytest.mark.parametrize(
    "text, reason",
    [
        ("can I talk to a real person", "asked for a person"),
        ("have someone call me tomorrow after 5", "asked for a person"),
        ("what's my home worth?", "asked what an agent must answer (home value, commission, contract, legal)"),
        ("what commission do you charge", "asked what an agent must answer (home value, commission, contract, legal)"),
        ("can we see it saturday at 10am", "wants an appointment or a showing"),
        ("is that house on 5th still available?", "asked about a specific listing"),
    ],
)
def test_handoff_rules(text, reason):
    step = step_for(text)
    assert (step.action, step.handoff_reason, step.next_question) == (stages.Action.HANDOFF, reason, "")


@pytest.mark.parametrize("text", ["my wife is the person to ask about budget", "i'll call the bank tomorrow",
                                  "the last agent never called me back"])
def test_mentioning_a_person_or_a_call_is_not_a_request_for_one(text):
    assert step_for(text).action == stages.Action.ASK


def test_hot_and_fully_qualified_leads_go_to_an_agent():
    hot = stages.next_step(lead_type=LeadType.SELLER, name="", name_asked=True, facts={}, intent=Intent.PROVIDE_INFO,
                           temperature=Temperature.HOT, closed=False, language="en")
    assert hot.handoff_reason == "hot lead"
    facts = {"address": "1 Elm St", "timeline_days": 30, "condition": "good", "motivation": "job",
             "price_expectation": 500000}
    done = stages.next_step(lead_type=LeadType.SELLER, name="Ann", name_asked=True, facts=facts,
                            intent=Intent.PROVIDE_INFO, temperature=Temperature.WARM, closed=False, language="en")
    assert done.handoff_reason == "fully qualified"


def test_the_next_question_is_the_first_missing_fact():
    step = stages.next_step(lead_type=LeadType.BUYER, name="Sam", name_asked=True,
                            facts={"financing": "cash", "budget_max": 500000}, intent=Intent.PROVIDE_INFO,
                            temperature=Temperature.COLD, closed=False, language="en")
    assert step.next_slot == "timeline_days"


def test_every_intent_has_a_branch():
    expected = {Intent.OPT_OUT: stages.Action.OPT_OUT, Intent.WANTS_HUMAN: stages.Action.HANDOFF,
                Intent.APPOINTMENT: stages.Action.HANDOFF, Intent.AGENT_QUESTION: stages.Action.HANDOFF,
                Intent.LISTING_QUESTION: stages.Action.HANDOFF, Intent.NOT_INTERESTED: stages.Action.CLOSE,
                Intent.WRONG_NUMBER: stages.Action.CLOSE, Intent.RENTER: stages.Action.CLOSE}
    for intent in Intent:
        step = stages.next_step(lead_type=LeadType.BUYER, name="Sam", name_asked=True, facts={}, intent=intent,
                                temperature=Temperature.COLD, closed=False, language="en")
        assert step.action == expected.get(intent, stages.Action.ASK), intent
    bot = stages.next_step(lead_type=LeadType.BUYER, name="Sam", name_asked=True, facts={}, intent=Intent.BOT_QUESTION,
                           temperature=Temperature.COLD, closed=False, language="en")
    assert "automated assistant" in stages.template_reply(bot, "Sam", False, "en")


def test_spanish_prospects_are_answered_in_spanish():
    step = stages.next_step(lead_type=LeadType.UNKNOWN, name="", name_asked=False, facts={}, intent=Intent.GREETING,
                            temperature=Temperature.COLD, closed=False, language="es")
    assert stages.template_reply(step, "", True, "es") == (
        "¡Hola! Gracias por escribir a nuestro equipo de bienes raíces. ¿Busca comprar, vender, o ambos?")


def test_the_offline_wording_thanks_by_name_once_and_varies_its_acknowledgements():
    replies = [stages.template_reply(stages.Step("buyer", "buyer", stages.Action.ASK, slot, "Q?"), "Jake", False, "en")
               for slot in stages.BUYER_SLOTS]
    assert sum("Jake" in reply for reply in replies) == 1 and "Jake" in replies[0]
    assert len({reply.removesuffix(" Q?") for reply in replies}) >= 3


def test_a_closed_buyer_or_seller_who_comes_back_with_a_question_gets_an_agent():
    reading = read("how long do closings usually take around here?", asked="", lead_type=LeadType.SELLER)
    assert reading.intent == Intent.QUESTION
    step = stages.next_step(lead_type=LeadType.SELLER, name="Gil", name_asked=True, facts={"address": "12 Elm St"},
                            intent=reading.intent, temperature=Temperature.WARM, closed=True, language="en")
    assert (step.action, step.handoff_reason) == (stages.Action.HANDOFF, stages.QUESTION_AFTER_CLOSE)


def test_a_closed_conversation_stays_silent_for_thanks_and_for_an_unknown_contacts_question():
    thanks = read("ok thanks anyway", asked="", lead_type=LeadType.SELLER)
    step = stages.next_step(lead_type=LeadType.SELLER, name="Gil", name_asked=True, facts={}, intent=thanks.intent,
                            temperature=Temperature.COLD, closed=True, language="en")
    assert step.action == stages.Action.SILENT
    # A wrong number who asks who this is was never a lead: no agent is paged.
    unknown = stages.next_step(lead_type=LeadType.UNKNOWN, name="", name_asked=True, facts={},
                               intent=Intent.QUESTION, temperature=Temperature.COLD, closed=True, language="en")
    assert unknown.action == stages.Action.SILENT


@pytest.mark.parametrize("text", ["who is this", "whos texting me", "quien es?"])
def test_who_is_this_gets_an_honest_introduction_and_the_first_question(text):
    reading = read(text, asked="", lead_type=LeadType.UNKNOWN)
    step = stages.next_step(lead_type=LeadType.UNKNOWN, name="", name_asked=False, facts={}, intent=reading.intent,
                            temperature=Temperature.COLD, closed=False, language="en")
    assert (step.action, step.next_slot) == (stages.Action.ASK, "lead_type")
    assert "automated assistant for our real estate team" in stages.template_reply(step, "", True, "en")


@pytest.mark.parametrize("text", ["who is this? i never signed up for anything", "who is this? I didn't contact anyone"])
def test_who_is_this_with_never_having_asked_is_a_wrong_number(text):
    assert read(text, asked="", lead_type=LeadType.UNKNOWN).intent == Intent.WRONG_NUMBER


def test_a_closed_conversation_still_answers_are_you_a_bot_honestly():
    reading = read("wait is this a bot or a person?", asked="", lead_type=LeadType.UNKNOWN)
    step = stages.next_step(lead_type=LeadType.UNKNOWN, name="", name_asked=True, facts={}, intent=reading.intent,
                            temperature=Temperature.COLD, closed=True, language="en")
    assert step.action == stages.Action.CLOSE
    assert stages.template_reply(step, "", False, "en").startswith("I'm an automated assistant")


@pytest.mark.parametrize("text", ["can you just send me listings in chandler under 400?", "send me some homes pls",
                                  "mándenme casas por favor"])
def test_asking_to_be_sent_listings_goes_to_an_agent_who_can_set_up_the_search(text):
    assert step_for(text).handoff_reason == "asked for a person"


@pytest.mark.parametrize("text", ["don't stop sending me homes", "keep sending me listings", "i can send you my address"])
def test_alerts_already_sent_or_sending_something_is_no_request_for_listings(text):
    assert step_for(text).action != stages.Action.HANDOFF


def _undecided_step(passed, *, name="", name_asked=False):
    return stages.next_step(lead_type=LeadType.UNKNOWN, name=name, name_asked=name_asked, facts={},
                            intent=Intent.PROVIDE_INFO, temperature=Temperature.COLD, closed=False, language="en",
                            passed=tuple(passed))


def test_a_prospect_who_says_neither_buy_nor_sell_is_asked_their_name_then_once_more_then_closed_politely():
    assert stages.passed_on("lead_type", {"timeline_days": 730}, Intent.PROVIDE_INFO, answered_other=True,
                            lead_type=LeadType.UNKNOWN)  # "maybe in a year or two" told a timeline, not a type
    assert _undecided_step(["lead_type"]).next_slot == "name"
    asked_again = _undecided_step(["lead_type"], name="Chris", name_asked=True)
    assert asked_again.next_slot == "lead_type"
    assert stages.template_reply(asked_again, "Chris", False, "en").startswith("Thanks, Chris!")
    closed = _undecided_step(["lead_type", "lead_type"], name="Chris", name_asked=True)
    assert (closed.action, closed.close_reason) == (stages.Action.CLOSE, stages.UNDECIDED)
    assert stages.template_reply(closed, "Chris", False, "es").startswith("¡No hay problema!")
    assert not stages.passed_on("lead_type", {}, Intent.BUYER, lead_type=LeadType.BUYER)  # answered
