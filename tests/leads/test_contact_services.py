"""The contact services behind the agents' actions: re-scoring from the stored facts with its history, and taking
over and handing back (which a turn running meanwhile does not undo). Real PostgreSQL, Redis and cache."""

import pytest

from leads.models import Contact, LeadType, ScoreEvent, ScoreReason, Temperature
from leads.services import contact_apply_turn, contact_hand_back, contact_rescore, contact_take_over
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
