"""The services behind the agents' actions: re-scoring with its history, taking over and handing back, an agent's
text through the outbound service, and the Agents group. Real PostgreSQL, Redis and cache; Twilio faked at HTTP."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError

from agents.services import AGENT_PERMISSIONS, AGENTS_GROUP, agent_send_text, agents_group_sync
from leads.models import (Author, Contact, DeliveryStatus, Direction, LeadType, Message, ScoreEvent, ScoreReason,
                          Temperature)
from leads.services import contact_apply_turn, contact_hand_back, contact_rescore, contact_take_over
from sms.tasks import send_outbound_message
from tests.support.factories import ContactFactory, MessageFactory
from tests.support.fake_claude import FakeClaude, claude_provider
from tests.support.twilio import twilio_created
from tests.bots.test_turns import BUYER_SCRIPT, converse

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


def test_turns_record_each_score_change_in_the_history():
    contact, _ = converse("+15125550231", BUYER_SCRIPT, claude_provider(FakeClaude(dict(BUYER_SCRIPT))))
    events = list(ScoreEvent.objects.filter(contact=contact))
    assert events and all(event.reason == ScoreReason.TURN for event in events)
    assert [e.temperature for e in events][-1] == Temperature.HOT
    assert Temperature.WARM in [e.temperature for e in events]
    assert (events[-1].frs, events[-1].pcs) == (contact.frs_score, contact.pcs_score)
    pairs = [(e.frs, e.pcs, e.temperature) for e in events]
    assert len(pairs) == len(set(pairs))  # only changes are recorded


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


def test_an_agent_text_is_recorded_queued_after_commit_and_sent_by_the_outbound_service(
        twilio, settings, django_capture_on_commit_callbacks):
    settings.SMS_SEND_FROM_HOUR, settings.SMS_SEND_UNTIL_HOUR = 0, 24  # any hour is a sending hour here
    twilio.add(twilio_created(sid="SM" + "a1" * 16))
    contact = ContactFactory(needs_agent=True, temperature=Temperature.HOT)
    MessageFactory(contact=contact, conversation__contact=contact)
    with django_capture_on_commit_callbacks() as callbacks:
        message = agent_send_text(contact=contact, body="  Hi Maya, this is Dana from the team.  ")
    assert len(callbacks) == 1  # the send is queued only once the row is committed
    message.refresh_from_db()
    assert (message.direction, message.author, message.status) == (Direction.OUTBOUND, Author.AGENT, DeliveryStatus.QUEUED)
    assert message.body == "Hi Maya, this is Dana from the team." and message.segments == 1
    contact.refresh_from_db()
    assert contact.bot_paused and not contact.needs_agent and contact.last_message_at == message.created_at

    send_outbound_message.apply(args=[message.pk])
    message.refresh_from_db()
    assert message.twilio_sid == "SM" + "a1" * 16 and len(twilio.calls) == 1


def test_an_agent_text_obeys_opt_out_and_quiet_hours(twilio, settings):
    opted_out = ContactFactory(opted_out=True)
    suppressed = agent_send_text(contact=opted_out, body="Following up")
    send_outbound_message.apply(args=[suppressed.pk])
    suppressed.refresh_from_db()
    assert suppressed.status == DeliveryStatus.SUPPRESSED

    settings.SMS_SEND_FROM_HOUR, settings.SMS_SEND_UNTIL_HOUR = 0, 0  # no hour is a sending hour: always deferred
    night = agent_send_text(contact=ContactFactory(), body="Are you free tomorrow?")
    from sms.outbound import send

    assert send(night.pk).status == DeliveryStatus.DEFERRED
    night.refresh_from_db()
    assert night.status == DeliveryStatus.DEFERRED and night.send_after is not None
    assert len(twilio.calls) == 0


@pytest.mark.parametrize("body, problem", [("   ", "empty"), ("x" * 1601, "1601 characters")])
def test_an_empty_or_overlong_agent_text_is_refused(body, problem):
    contact = ContactFactory()
    with pytest.raises(ValidationError, match=problem):
        agent_send_text(contact=contact, body=body)
    assert not Message.objects.exists()
    contact.refresh_from_db()
    assert not contact.bot_paused


def test_the_agents_group_has_exactly_the_agent_permissions():
    group = Group.objects.get(name=AGENTS_GROUP)  # made by the post_migrate signal when the test database migrated
    granted = set(group.permissions.values_list("content_type__app_label", "codename"))
    assert granted == set(AGENT_PERMISSIONS)
    assert not any(codename.startswith(("delete_", "add_")) for _, codename in granted)
    assert not any(app_label in ("auth", "caching", "contenttypes", "sessions", "admin") for app_label, _ in granted)

    group.permissions.add(Permission.objects.get(codename="delete_contact"))  # someone widened it by hand
    agents_group_sync()
    assert set(group.permissions.values_list("content_type__app_label", "codename")) == set(AGENT_PERMISSIONS)


def test_texting_keeps_the_contacts_cached_results():
    """An agent's text changes nothing the bot learned, so the contact's cache version stays."""
    contact = ContactFactory()
    version = contact.cache_version
    agent_send_text(contact=contact, body="Hello")
    contact.refresh_from_db()
    assert contact.cache_version == version
