"""A slow or failing CRM never slows or breaks an SMS turn: the turn (the real one, the offline provider answering)
only records its deliveries and queues their tasks; the HTTP happens in the delivery task, later."""

import time

import pytest

from bots.tasks import process_inbound_message
from crm.models import DeliveryStatus, WebhookDelivery
from crm.tasks import deliver_webhook
from leads.models import Message
from leads.services import contact_get_or_create, message_record_inbound

pytestmark = pytest.mark.django_db


def test_a_crm_that_hangs_does_not_hold_up_the_turn(settings, endpoint, receiver, committed):
    settings.ANTHROPIC_API_KEY = ""
    settings.CRM_WEBHOOK_TIMEOUT_SECONDS = 1.0
    receiver.delay_seconds = 3.0  # the CRM answers nothing for longer than the timeout
    slowest_turn = 0.0
    with committed():
        contact, _ = contact_get_or_create(phone="+15125550501")
        for n, text in enumerate(["hi, we want to buy a 3 bedroom house in Austin", "Sam"]):
            message, _ = message_record_inbound(contact=contact, body=text, twilio_sid="SM" + str(n) * 32)
            started = time.monotonic()
            process_inbound_message.apply(args=[message.pk]).get()
            slowest_turn = max(slowest_turn, time.monotonic() - started)
            assert Message.objects.filter(reply_to=message).exists()  # answered
    assert receiver.requests == []  # and the CRM not called during the turns
    assert slowest_turn < receiver.delay_seconds
    # Created by the first text; a buyer with a name after the second, so the buyer bot has them.
    assert sorted(WebhookDelivery.objects.values_list("event", flat=True)) == ["lead.created", "lead.stage_changed"]
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.PENDING}

    # The delivery task meets the hanging CRM: it times out, and the delivery waits for its retry.
    delivery = WebhookDelivery.objects.get(event="lead.created")
    assert deliver_webhook.apply(args=[delivery.pk]).get() == DeliveryStatus.FAILED
    assert "Timeout" in delivery.attempts.get().error


def test_a_broker_that_is_down_leaves_the_deliveries_for_the_sweep(settings, endpoint, committed, monkeypatch):
    """Queuing a delivery's task fails (the broker is away): the turn's change stays, and the delivery stays
    pending with its attempt due, for the sweep to queue when the broker is back."""
    from kombu.exceptions import OperationalError

    from crm.tasks import deliver_webhook as task

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to the broker. Connection refused.")

    monkeypatch.setattr(task, "delay", broker_down)  # Celery's own client call, not the project's code
    with committed():
        contact, created = contact_get_or_create(phone="+15125550502")
    assert created
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and delivery.next_attempt_at is not None
