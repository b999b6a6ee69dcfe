"""A contact's turns in order, one at a time (bots.conversation), and the agents alerted once per handoff."""

import time

import pytest
from django.core import mail
from django_redis import get_redis_connection

from bots import conversation
from bots.conversation import ContactBusy, answer_in_order, contact_turn_lease
from bots.tasks import process_inbound_message
from leads.models import Message
from leads.services import contact_get_or_create, message_record_inbound
from tests.support.twilio import twilio_created

pytestmark = pytest.mark.django_db


def test_two_quick_texts_are_answered_in_order_one_turn_at_a_time(settings):
    settings.ANTHROPIC_API_KEY = ""
    contact, _ = contact_get_or_create(phone="+15125550202")
    first, _ = message_record_inbound(contact=contact, body="hi", twilio_sid="SM" + "f" * 32)
    second, _ = message_record_inbound(contact=contact, body="we want to buy a house", twilio_sid="SM" + "1" * 32)

    # The second message's task runs first: it answers the first message before its own.
    replies = answer_in_order(second.pk)
    assert [Message.objects.get(pk=r).reply_to_id for r in replies] == [first.pk, second.pk]
    assert answer_in_order(first.pk) == []  # the first message's own task finds nothing left to do

    third, _ = message_record_inbound(contact=contact, body="Sam", twilio_sid="SM" + "2" * 32)
    lock = get_redis_connection("default").lock(f"turn-lock:contact:{contact.pk}", timeout=10)
    assert lock.acquire(blocking=False)
    try:
        with pytest.raises(ContactBusy):  # another worker is mid-turn for this contact
            answer_in_order(third.pk)
    finally:
        lock.release()
    assert not Message.objects.filter(reply_to=third).exists()


def test_a_turn_longer_than_its_lease_keeps_the_contact_until_it_ends(monkeypatch):
    monkeypatch.setattr(conversation, "TURN_LEASE_SECONDS", 1)
    monkeypatch.setattr(conversation, "RENEW_EVERY_SECONDS", 0.2)
    redis_client = get_redis_connection("default")
    with contact_turn_lease(4242):
        time.sleep(2.5)  # over twice the lease: only the renewals keep it
        assert redis_client.pttl("turn-lock:contact:4242") > 0
        with pytest.raises(ContactBusy):
            with contact_turn_lease(4242):
                pass
    assert not redis_client.exists("turn-lock:contact:4242")
    with contact_turn_lease(4242):  # free again for the next turn
        pass


def test_handoff_alerts_agents_once(settings, twilio):
    settings.ANTHROPIC_API_KEY = ""
    settings.AGENT_ALERT_EMAILS = ["agents@example.com"]
    settings.AGENT_ALERT_PHONE = "+15125550299"
    twilio.add(twilio_created(sid="SM" + "7" * 32))
    contact, _ = contact_get_or_create(phone="+15125550204")
    message, _ = message_record_inbound(contact=contact, body="can I talk to a real person please",
                                        twilio_sid="SM" + "6" * 32)
    process_inbound_message.apply(args=[message.pk])
    contact.refresh_from_db()
    assert contact.needs_agent and contact.bot_paused and contact.agent_alerted_at
    assert len(mail.outbox) == 1 and contact.phone in mail.outbox[0].body
    alert = [call for call in twilio.calls if "%2B15125550299" in call.request.body]
    assert len(alert) == 1
    from bots.handoffs import alert_agents

    assert alert_agents(contact.pk) is False  # once per handoff
