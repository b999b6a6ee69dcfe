"""Sending a delivery to a real local HTTP server: the signature a receiver can check, what each answer does (2xx
delivered; 4xx gives up, but for 408 and 429; 5xx and no answer retried with growing, jittered waits up to the
attempt limit), the task safe to run twice, and the sweep that queues due retries."""

import hashlib
import hmac
import json
import threading
import time
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
import time_machine
from django.db import connection, transaction

from crm import delivery as sending
from crm import signing
from crm.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from crm.selectors import due_delivery_ids
from crm.services import event_record
from crm.tasks import deliver_webhook, requeue_due_deliveries
from leads.services import contact_get_or_create

pytestmark = pytest.mark.django_db

START = datetime(2026, 12, 3, 15, 0, tzinfo=dt_timezone.utc)


@pytest.fixture(autouse=True)
def schedule(settings):
    settings.CRM_WEBHOOK_RETRY_BASE_SECONDS = 60
    settings.CRM_WEBHOOK_RETRY_MAX_SECONDS = 3600
    settings.CRM_WEBHOOK_MAX_ATTEMPTS = 5
    settings.CRM_WEBHOOK_TIMEOUT_SECONDS = 2


def a_delivery(endpoint, phone="+15125550201"):
    contact, _ = contact_get_or_create(phone=phone, name="Ana Reyes")
    [delivery] = event_record(event="lead.handed_off", contact_id=contact.pk, payload={"reason": "hot lead"})
    assert delivery.endpoint == endpoint
    return delivery


def receiver_accepts(secret: str, headers: dict, body: bytes, now: float) -> bool:
    """What the README tells a receiver to do, written independently of crm.signing."""
    timestamp = headers["X-Webhook-Timestamp"]
    expected = "sha256=" + hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers["X-Webhook-Signature"]) and abs(now - int(timestamp)) <= 300


def test_the_receiver_can_verify_the_signature_and_reads_the_documented_body(endpoint, receiver):
    delivery = a_delivery(endpoint)
    assert deliver_webhook.apply(args=[delivery.pk]).get() == DeliveryStatus.DELIVERED
    [request] = receiver.requests
    assert receiver_accepts("shared-secret-for-tests", request.headers, request.body, time.time())
    assert not receiver_accepts("another-secret", request.headers, request.body, time.time())
    assert not receiver_accepts("shared-secret-for-tests", request.headers, request.body + b" ", time.time())
    assert not receiver_accepts("shared-secret-for-tests", request.headers, request.body, time.time() + 3600)
    assert signing.verify("shared-secret-for-tests", request.body, request.headers)
    body = json.loads(request.body)
    assert body["event"] == "lead.handed_off" and body["data"] == {"reason": "hot lead"}
    assert body["contact"]["name"] == "Ana Reyes" and body["id"] == str(delivery.event_id)
    assert request.headers["X-Webhook-Event"] == "lead.handed_off"
    assert request.headers["X-Webhook-Id"] == str(delivery.event_id)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempt_count, delivery.next_attempt_at) == (DeliveryStatus.DELIVERED, 1, None)
    [attempt] = delivery.attempts.all()
    assert attempt.http_status == 200 and '"ok"' in attempt.response_excerpt and attempt.error == ""


def test_running_the_task_twice_makes_one_request(endpoint, receiver):
    delivery = a_delivery(endpoint)
    deliver_webhook.apply(args=[delivery.pk])
    assert deliver_webhook.apply(args=[delivery.pk]).get() == "skipped: already delivered"
    assert len(receiver.requests) == 1 and delivery.attempts.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_make_one_request(endpoint, receiver):
    """The row is locked for the attempt: a second run waits for it, then finds it delivered."""
    receiver.delay_seconds = 0.5
    delivery = a_delivery(endpoint)
    results = []

    def run():
        results.append(sending.attempt(delivery.pk).status)
        connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["delivered", "skipped: already delivered"]
    assert len(receiver.requests) == 1


def test_server_errors_and_silence_are_retried_with_growing_jittered_waits_then_given_up(endpoint, receiver, settings):
    settings.CRM_WEBHOOK_TIMEOUT_SECONDS = 0.3
    receiver.statuses = [500, 503, 408, 429]
    with time_machine.travel(START, tick=False) as clock:
        delivery = a_delivery(endpoint)
        waits = []
        for attempt in range(1, 5):
            outcome = sending.attempt(delivery.pk)
            assert outcome.status == DeliveryStatus.FAILED
            wait = (outcome.next_attempt_at - START - sum(waits, timedelta())).total_seconds()
            ceiling = min(60 * 2 ** (attempt - 1), 3600)
            assert ceiling / 2 <= wait <= ceiling, (attempt, wait)
            waits.append(timedelta(seconds=wait))
            # Not due yet: a run before the wait is over sends nothing.
            assert sending.attempt(delivery.pk).status == "skipped: not due yet"
            clock.move_to(outcome.next_attempt_at)
        assert len(receiver.requests) == 4
        receiver.delay_seconds = 1.0  # the fifth and last attempt times out: out of attempts, it gives up
        assert sending.attempt(delivery.pk).status == DeliveryStatus.GAVE_UP
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempt_count, delivery.next_attempt_at) == (DeliveryStatus.GAVE_UP, 5, None)
    attempts = list(delivery.attempts.values_list("http_status", flat=True))
    assert attempts == [500, 503, 408, 429, None]
    assert "Timeout" in delivery.attempts.last().error


def test_the_waits_are_drawn_not_fixed():
    """Jitter: many senders that failed together do not all come back at the same second."""
    assert len({round(sending.retry_delay_seconds(3), 3) for _ in range(20)}) > 1


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 422])
def test_a_client_error_gives_up_at_once(endpoint, receiver, status):
    receiver.statuses = [status]
    delivery = a_delivery(endpoint)
    assert sending.attempt(delivery.pk).status == DeliveryStatus.GAVE_UP
    assert deliver_webhook.apply(args=[delivery.pk]).get() == "skipped: already gave_up"
    assert len(receiver.requests) == 1


def test_retry_after_is_honoured_up_to_the_cap(endpoint, settings):
    import respx
    from httpx import Response

    with respx.mock() as fake, time_machine.travel(START, tick=False):
        fake.post(endpoint.url).mock(return_value=Response(429, headers={"Retry-After": "900"}))
        delivery = a_delivery(endpoint)
        outcome = sending.attempt(delivery.pk)
    assert outcome.status == DeliveryStatus.FAILED and outcome.next_attempt_at == START + timedelta(seconds=900)


def test_a_switched_off_endpoint_gets_nothing_more(endpoint, receiver):
    delivery = a_delivery(endpoint)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(active=False)
    assert sending.attempt(delivery.pk).status == DeliveryStatus.GAVE_UP
    assert receiver.requests == [] and delivery.attempts.get().error == "the endpoint is switched off"


def test_the_sweep_queues_due_retries_and_lost_tasks_only(endpoint, receiver):
    receiver.statuses = [500]
    with transaction.atomic(), time_machine.travel(START, tick=False) as clock:
        retried = a_delivery(endpoint, phone="+15125550202")
        sending.attempt(retried.pk)                                 # failed, due within a minute
        fresh = a_delivery(endpoint, phone="+15125550203")          # its own task is on its way
        done = a_delivery(endpoint, phone="+15125550204")
        sending.attempt(done.pk)                                    # delivered
        assert due_delivery_ids(START, 100) == []
        clock.move_to(START + timedelta(minutes=1))
        assert due_delivery_ids(START + timedelta(minutes=1), 100) == [retried.pk]
        clock.move_to(START + timedelta(minutes=3))                 # the fresh one's task was lost
        assert due_delivery_ids(START + timedelta(minutes=3), 100) == [fresh.pk, retried.pk]  # oldest due first
        assert requeue_due_deliveries.apply().get() == 2


@pytest.mark.django_db(transaction=True)
def test_the_sweep_skips_a_delivery_an_attempt_holds(endpoint, receiver):
    delivery = a_delivery(endpoint)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=START)
    held, release = threading.Event(), threading.Event()

    def hold():
        with transaction.atomic():
            WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
            held.set()
            release.wait(5)
        connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(5)
    try:
        with transaction.atomic():
            assert due_delivery_ids(START + timedelta(hours=1), 100) == []
    finally:
        release.set()
        holder.join()
    with transaction.atomic():
        assert due_delivery_ids(START + timedelta(hours=1), 100) == [delivery.pk]
