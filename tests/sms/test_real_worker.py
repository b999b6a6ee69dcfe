"""The real path: a signed webhook, the turn run by a real Celery worker process on the real broker, the reply
sent (console SMS backend in the worker: its process cannot share this test's HTTP fakes), and `simulate_sms`
talking to a live server the way a new user would."""

import time
import uuid

import pytest
from django.core.management import call_command

from leads.models import DeliveryStatus, Direction, Message
from tests.support.celery_worker import console_worker_env, running_worker
from tests.support.webhooks import twilio_signature

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(project_env):
    with running_worker(console_worker_env(project_env)) as process:
        yield process


def wait_for_reply(inbound_sid, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        reply = Message.objects.filter(reply_to__twilio_sid=inbound_sid, status=DeliveryStatus.SENT).first()
        if reply is not None:
            return reply
        time.sleep(0.2)
    raise AssertionError("no reply was sent by the worker")


def test_webhook_through_a_real_celery_worker(client, settings, worker):
    sid = f"SM{uuid.uuid4().hex}"
    params = {"MessageSid": sid, "From": "+15125550210", "To": "+15005550006", "Body": "we want to buy a condo 🏙️"}
    signature = twilio_signature(params)
    for _ in range(2):  # Twilio's retry of the same MessageSid must not produce a second turn
        assert client.post("/sms/inbound", data=params, HTTP_X_TWILIO_SIGNATURE=signature).status_code == 200
    reply = wait_for_reply(sid)
    assert reply.twilio_sid.startswith("SMconsole") and "Who am I texting with" in reply.body
    time.sleep(1)
    assert Message.objects.filter(direction=Direction.OUTBOUND, contact=reply.contact).count() == 1


def test_simulate_sms_talks_to_the_running_app(live_server, settings, worker, capsys):
    settings.PUBLIC_BASE_URL = live_server.url  # the app's public URL is where the command signs and posts
    call_command("simulate_sms", "hi, is this the real estate team?", "--from", "+1 512 555 0211", "--url",
                 live_server.url, "--wait", "60")
    out = capsys.readouterr().out
    assert "you (+15125550211): hi, is this the real estate team?" in out
    assert "bot: Hi! Thanks for reaching out" in out
