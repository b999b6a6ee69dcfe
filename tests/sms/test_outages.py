"""Outages on the inbound path, with the real servers stopped: nothing a prospect sent is lost."""

import os

import pytest
from django.conf import settings
from django.db import connection

from config import embedded
from leads.models import Message
from sms.spool import drain_spool, spooled_count
from tests.support.webhooks import signed_post

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_text_received_while_postgres_is_down_is_spooled_and_stored_later(client):
    if os.environ.get("DATABASE_URL"):
        pytest.skip("stops the embedded PostgreSQL; DATABASE_URL points at an external server")
    params = {"MessageSid": "SM" + "4" * 32, "From": "+15125550230", "To": "+15005550006", "Body": "still there? 🏠"}
    connection.close()
    assert embedded.stop(settings.EMBEDDED_DATA_DIR, services=("postgres",)) == ["postgres"]
    try:
        response = signed_post(client, "/sms/inbound", params)
        assert response.status_code == 200 and b"<Response" in response.content
        assert spooled_count() == 1
        assert drain_spool() == 0 and spooled_count() == 1  # still down: kept, in order
    finally:
        embedded.ensure_running(settings.EMBEDDED_DATA_DIR)
    connection.close()
    assert drain_spool() == 1 and spooled_count() == 0
    assert signed_post(client, "/sms/inbound", params).status_code == 200  # Twilio's retry of the same SID changes nothing
    message = Message.objects.get(twilio_sid="SM" + "4" * 32)
    assert message.body == "still there? 🏠" and message.contact.phone == "+15125550230"
    assert Message.objects.filter(twilio_sid="SM" + "4" * 32).count() == 1
