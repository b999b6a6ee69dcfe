"""The agents' own services: an agent's text through the outbound service, and the Agents group. Real PostgreSQL,
Redis and cache; Twilio faked at HTTP. (Re-scoring, taking over and handing back are the contact services:
tests/leads/test_contact_services.py.)"""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError

from agents.services import AGENT_PERMISSIONS, AGENTS_GROUP, agent_send_text, agents_group_sync
from leads.models import Author, DeliveryStatus, Direction, Message, Temperature
from sms.tasks import send_outbound_message
from tests.support.factories import ContactFactory, MessageFactory
from tests.support.twilio import twilio_created

pytestmark = pytest.mark.django_db


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
