"""One text from the signed webhook to the bot's reply sent through Twilio (faked at the HTTP layer) and its status
callbacks, every task run eagerly in this process. The same path on a real Celery worker is
tests/sms/test_real_worker.py."""

import pytest

from leads.models import DeliveryStatus, Direction, Message
from tests.support.twilio import twilio_created
from tests.support.webhooks import inbound_params, signed_post

pytestmark = pytest.mark.django_db


def test_signed_webhook_to_reply_to_status_callbacks_end_to_end(client, twilio, settings,
                                                                django_capture_on_commit_callbacks):
    # Eager tasks here so the whole chain runs in this process, where Twilio's REST API is faked; the real
    # worker path is covered by tests/sms/test_real_worker.py.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.ANTHROPIC_API_KEY = ""
    settings.SMS_SEND_FROM_HOUR, settings.SMS_SEND_UNTIL_HOUR = 0, 24  # any hour is a sending hour for this test
    from config.celery import app

    app.conf.task_always_eager = True
    try:
        twilio.add(twilio_created(sid="SM" + "5" * 32))
        with django_capture_on_commit_callbacks(execute=True):
            response = signed_post(client, "/sms/inbound", inbound_params(body="we want to buy a house",
                                                                          sender="+15125550203"))
        assert response.status_code == 200
    finally:
        app.conf.task_always_eager = False
    reply = Message.objects.get(direction=Direction.OUTBOUND)
    assert reply.twilio_sid == "SM" + "5" * 32 and reply.status == "queued"
    assert "Who am I texting with" in reply.body
    assert len(twilio.calls) == 1
    for status in ("sent", "delivered"):
        signed_post(client, "/sms/status", {"MessageSid": reply.twilio_sid, "MessageStatus": status})
    reply.refresh_from_db()
    assert reply.status == DeliveryStatus.DELIVERED
