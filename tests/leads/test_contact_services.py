"""The contact services behind the agents' actions: re-scoring from the stored facts with its history, and taking
over and handing back (which a turn running meanwhile does not undo). Real PostgreSQL, Redis and cache."""

import pytest

from leads.models import Contact, LeadType, ScoreEvent, ScoreReason, Temperature
from leads.selectors import Handling, contact_handling
from leads.services import (contact_apply_turn, contact_hand_back, contact_rescore, contact_set_opt_out,
                            contact_take_over)
from tests.support.factories import ContactFactory

pytestmark = pytest.mark.django_db

HOT_BUYER_FACTS = {"financing": "pre_approved", "budget_max": 650000, "timeline_days": 30, "areas": ["Noe Valley"],
                   "property_type": "condo", "bedrooms": 2}


def test_rescore_recomputes_from_facts_records_history_and_retires_the_cache():
    contact = ContactFactory(lead_type=LeadType.BUYER, facts=HOT_BUYER_FACTS, temperature=Temperature.COLD)
    version = contact.cache_version
    result = contact_rescore(contact=contact)
    contact.refresh_from_db()
    assert result.changed and result.temperature_before == Temperature.COLD
    assert (contact.frs_score, contact.pcs_score, contact.temperature) == (95, 95, Temperature.HOT)
    assert result.summary() == "FRS 95, PCS 95, Hot (was FRS 0, PCS 0, Cold)"
    assert contact.cache_version == version + 1  # the temperature change went through the invalidation signal
    event = ScoreEvent.objects.get(contact=contact)
    assert (event.frs, event.pcs, event.temperature, event.reason) == (95, 95, Temperature.HOT, ScoreReason.RESCORE)

    again = contact_rescore(contact=contact)
    assert not again.changed and again.summary() == "unchanged: FRS 95, PCS 95, Hot"
    assert ScoreEvent.objects.filter(contact=contact).count() == 1
    contact.refresh_from_db()
    assert contact.cache_version == version + 1


def test_a_turn_does_not_undo_an_agent_taking_over_while_it_ran():
    contact = ContactFactory(lead_type=LeadType.BUYER)
    loaded_by_the_turn = Contact.objects.get(pk=contact.pk)
    contact_take_over(contact=contact)
    contact_apply_turn(contact=loaded_by_the_turn, name="", lead_type=LeadType.BUYER, facts={"bedrooms": 3}, frs=0,
                       pcs=10, temperature=Temperature.COLD, bot="buyer", asked_slot="budget", handoff_reason="")
    contact.refresh_from_db()
    assert contact.bot_paused and contact.pcs_score == 10 and contact.facts == {"bedrooms": 3}


def test_take_over_and_hand_back():
    contact = ContactFactory(temperature=Temperature.HOT, needs_agent=True, handoff_reason="hot lead")
    contact_take_over(contact=contact)
    contact.refresh_from_db()
    assert contact.bot_paused and contact.bot_paused_at and not contact.needs_agent
    paused_at = contact.bot_paused_at
    contact_take_over(contact=contact)  # twice: still paused since the first time
    contact.refresh_from_db()
    assert contact.bot_paused_at == paused_at
    contact_hand_back(contact=contact)
    contact.refresh_from_db()
    assert not contact.bot_paused and contact.bot_paused_at is None
    assert not contact.needs_agent and contact.handoff_reason == ""


def test_who_has_the_conversation_through_handoff_take_over_and_hand_back(django_user_model):
    dana = django_user_model.objects.create_user("dana", first_name="Dana", last_name="Cruz")
    contact = ContactFactory(lead_type=LeadType.BUYER)
    assert contact_handling(contact).state == Handling.BOT
    contact_apply_turn(contact=contact, name="", lead_type=LeadType.BUYER, facts={}, frs=0, pcs=0,
                       temperature=Temperature.COLD, bot="buyer", asked_slot="", handoff_reason="asked for a person")
    waiting = contact_handling(contact)
    assert (waiting.state, waiting.reason, waiting.since) == (Handling.WAITING, "asked for a person", contact.handoff_at)
    assert waiting.can_take_over and not waiting.can_hand_back
    assert waiting.who_has_it == "the bot is paused while the lead waits for an agent"

    contact_take_over(contact=contact, agent=dana)
    contact.refresh_from_db()
    taken = contact_handling(contact)
    assert (taken.state, taken.summary, taken.since) == (Handling.TAKEN_OVER, "Taken over by Dana Cruz", contact.bot_paused_at)
    assert contact.bot_paused_at >= contact.handoff_at  # since the take-over, not since the handoff
    assert taken.can_hand_back and not taken.can_take_over and taken.who_has_it == "Dana Cruz has the conversation"
    contact_take_over(contact=contact)  # a take-over that names nobody leaves it with Dana
    contact.refresh_from_db()
    assert contact.taken_over_by == dana

    contact_hand_back(contact=contact)
    contact.refresh_from_db()
    assert contact.taken_over_by is None and contact_handling(contact).state == Handling.BOT
    contact_set_opt_out(contact=contact, opted_out=True)
    gone = contact_handling(contact)
    assert gone.state == Handling.OPTED_OUT and not gone.can_take_over and not gone.can_hand_back
