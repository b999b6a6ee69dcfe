"""Faults around a real Celery worker: killed mid-turn, and Redis (the broker) restarted under it."""

import os
import signal
import time
import uuid

import pytest
from django.conf import settings
from django_redis import get_redis_connection

from leads.models import DeliveryStatus, Direction, Message
from tests.support.celery_worker import console_worker_env, running_worker, start_worker
from tests.support.webhooks import signed_post

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
VISIBILITY_SECONDS = 4


@pytest.fixture
def worker_env(project_env):
    return console_worker_env(project_env, CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_SECONDS))


def send(client, body, sender):
    sid = f"SM{uuid.uuid4().hex}"
    params = {"MessageSid": sid, "From": sender, "To": "+15005550006", "Body": body}
    assert signed_post(client, "/sms/inbound", params).status_code == 200
    return sid


def replies_to(sid, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        replies = list(Message.objects.filter(reply_to__twilio_sid=sid, status=DeliveryStatus.SENT))
        if replies:
            return replies
        time.sleep(0.2)
    return []


def test_a_worker_killed_mid_turn_is_replaced_and_the_turn_answered_exactly_once(client, worker_env):
    # A slow first turn: the worker is killed while it runs (SIGKILL: no chance to clean up, ack or release the
    # contact's turn lease), after it took the lease, the worst moment.
    killed = start_worker(worker_env)
    time.sleep(3)
    sid = send(client, "we want to buy a house " + "and " * 50, "+15125550250")
    lease = f"turn-lock:contact:{Message.objects.get(twilio_sid=sid).contact_id}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not get_redis_connection("default").exists(lease):
        time.sleep(0.005)
    assert get_redis_connection("default").exists(lease), "the worker took the contact's turn lease"
    os.kill(killed.pid, signal.SIGKILL)
    killed.wait(timeout=10)
    # The worker's first turn loads the embedding model and the SDKs, so it was killed before it replied.
    assert not Message.objects.filter(reply_to__twilio_sid=sid).exists()
    time.sleep(VISIBILITY_SECONDS + 1)  # the task's visibility timeout runs out
    with running_worker(worker_env):  # the replacement: it waits out the dead worker's lease, then answers
        replies = replies_to(sid, 90)
    assert len(replies) == 1
    assert Message.objects.filter(direction=Direction.OUTBOUND, reply_to__twilio_sid=sid).count() == 1


def test_the_broker_restarting_loses_no_text(client, worker_env):
    from config import embedded

    if os.environ.get("REDIS_URL"):
        pytest.skip("restarts the embedded Valkey; REDIS_URL points at an external server")
    with running_worker(worker_env):
        first = send(client, "hi", "+15125550251")
        assert replies_to(first, 60)
        # A clean restart: Valkey saves its snapshot on the way down.
        assert embedded.stop(settings.EMBEDDED_DATA_DIR, services=("valkey",)) == ["valkey"]
        embedded.ensure_running(settings.EMBEDDED_DATA_DIR)
        second = send(client, "we want to buy a condo", "+15125550252")
        assert replies_to(second, 90), "the worker reconnected to the broker and answered"


def test_postgres_down_while_a_turn_is_due_is_retried_and_answered_once(client, worker_env):
    from config import embedded

    if os.environ.get("DATABASE_URL"):
        pytest.skip("stops the embedded PostgreSQL; DATABASE_URL points at an external server")
    sid = send(client, "we want to buy a house", "+15125550253")  # stored and queued; no worker yet
    from django.db import connection

    connection.close()
    assert embedded.stop(settings.EMBEDDED_DATA_DIR, services=("postgres",)) == ["postgres"]
    with running_worker(worker_env):  # takes the turn, fails on the database, retries with backoff
        time.sleep(6)
        embedded.ensure_running(settings.EMBEDDED_DATA_DIR)
        connection.close()
        replies = replies_to(sid, 90)
    assert len(replies) == 1
    assert Message.objects.filter(direction=Direction.OUTBOUND, reply_to__twilio_sid=sid).count() == 1
