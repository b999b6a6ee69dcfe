"""One attempt of one delivery: the POST, what came back, and what happens next (delivered, retried later, given
up). Safe to run twice: the row is locked for the attempt, and a delivered, given-up or not-yet-due row is left
alone, so a repeated task makes no second request."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from crm import signing
from crm.models import DeliveryAttempt, DeliveryStatus, EndpointKind, WebhookDelivery
from sms.retry import backoff_seconds

logger = logging.getLogger(__name__)

RESPONSE_EXCERPT_CHARS = 500
# A client error is the receiver refusing this request for good, except these two: a timeout on their side and
# "slow down", both worth another try.
RETRYABLE_CLIENT_ERRORS = (408, 429)
USER_AGENT = "lead-qualification-webhooks/1"


@dataclass(frozen=True)
class Outcome:
    status: str          # the delivery's status after the attempt, or "skipped: why"
    next_attempt_at: datetime | None = None


def raw_body(body: dict) -> bytes:
    """The bytes sent and signed: compact, keys sorted, so a stored body always serializes the same."""
    return json.dumps(body, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


def retry_delay_seconds(attempts_made: int) -> float:
    """The transport's backoff (sms.retry) with the CRM's base and cap: the base after the first failed attempt,
    doubled per failure after it."""
    return backoff_seconds(max(attempts_made - 1, 0), base=settings.CRM_WEBHOOK_RETRY_BASE_SECONDS,
                           cap=settings.CRM_WEBHOOK_RETRY_MAX_SECONDS)


def attempt(delivery_id: int) -> Outcome:
    with transaction.atomic():
        delivery = (WebhookDelivery.objects.select_for_update(of=("self",)).select_related("endpoint")
                    .filter(pk=delivery_id).first())
        if delivery is None:
            return Outcome("skipped: no such delivery")
        now = timezone.now()
        if delivery.status in (DeliveryStatus.DELIVERED, DeliveryStatus.GAVE_UP):
            return Outcome(f"skipped: already {delivery.status}")
        if delivery.next_attempt_at and delivery.next_attempt_at > now:
            return Outcome("skipped: not due yet", delivery.next_attempt_at)
        refusal = _cannot_send(delivery)
        if refusal:
            return _give_up(delivery, refusal, now)
        return _post(delivery, now)


def _cannot_send(delivery: WebhookDelivery) -> str:
    if not delivery.endpoint.active:
        return "the endpoint is switched off"
    if delivery.endpoint.kind == EndpointKind.FOLLOW_UP_BOSS and not settings.FOLLOW_UP_BOSS_API_KEY:
        return "FOLLOW_UP_BOSS_API_KEY is not set"
    return ""


def _request(delivery: WebhookDelivery, body: bytes) -> dict:
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
    if delivery.endpoint.kind == EndpointKind.FOLLOW_UP_BOSS:
        # FUB: HTTP Basic with the API key as the user name and no password (docs.followupboss.com/reference/
        # authentication), and the registered system's X-System / X-System-Key on every request (/identification).
        headers.update({"X-System": settings.FOLLOW_UP_BOSS_SYSTEM, "X-System-Key": settings.FOLLOW_UP_BOSS_SYSTEM_KEY})
        return {"headers": headers, "auth": httpx.BasicAuth(settings.FOLLOW_UP_BOSS_API_KEY, "")}
    headers.update(signing.signed_headers(delivery.endpoint.secret, body))
    headers.update({"X-Webhook-Event": delivery.event, "X-Webhook-Id": str(delivery.event_id),
                    "X-Webhook-Delivery": str(delivery.pk)})
    return {"headers": headers}


def _post(delivery: WebhookDelivery, now: datetime) -> Outcome:
    body = raw_body(delivery.body)
    started = time.monotonic()
    http_status, excerpt, error, retry_after = None, "", "", None
    try:
        with httpx.Client(timeout=settings.CRM_WEBHOOK_TIMEOUT_SECONDS, follow_redirects=False) as client:
            response = client.post(delivery.endpoint.url, content=body, **_request(delivery, body))
        http_status, excerpt = response.status_code, response.text[:RESPONSE_EXCERPT_CHARS]
        retry_after = _seconds(response.headers.get("Retry-After"))
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"[:500] if str(exc) else type(exc).__name__
    duration_ms = round((time.monotonic() - started) * 1000)
    DeliveryAttempt.objects.create(delivery=delivery, started_at=now, http_status=http_status,
                                   response_excerpt=excerpt, error=error, duration_ms=duration_ms,
                                   replayed_by=delivery.replay_requested_by)
    delivery.attempt_count += 1
    delivery.replay_requested_by = None
    if http_status is not None and 200 <= http_status < 300:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = DeliveryStatus.DELIVERED, now, None
    elif _worth_retrying(http_status) and delivery.attempt_count < settings.CRM_WEBHOOK_MAX_ATTEMPTS:
        delay = max(retry_delay_seconds(delivery.attempt_count),
                    min(retry_after or 0, settings.CRM_WEBHOOK_RETRY_MAX_SECONDS))
        delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, now + timedelta(seconds=delay)
    else:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.GAVE_UP, None
    delivery.save(update_fields=["attempt_count", "replay_requested_by", "status", "delivered_at", "next_attempt_at",
                                 "updated_at"])
    if delivery.status != DeliveryStatus.DELIVERED:
        logger.warning("webhook delivery %s (%s to %s): attempt %s got %s; now %s", delivery.pk, delivery.event,
                       delivery.endpoint.url, delivery.attempt_count, http_status or error, delivery.status)
    return Outcome(delivery.status, delivery.next_attempt_at)


def _worth_retrying(http_status: int | None) -> bool:
    """No answer (a timeout, a refused connection), a server error, or 408/429: try again later."""
    return http_status is None or http_status >= 500 or http_status in RETRYABLE_CLIENT_ERRORS


def _seconds(retry_after: str | None) -> float | None:
    """Retry-After in seconds (its date form is rare from webhook receivers and is ignored)."""
    try:
        return max(float(retry_after), 0.0) if retry_after else None
    except ValueError:
        return None


def _give_up(delivery: WebhookDelivery, why: str, now: datetime) -> Outcome:
    DeliveryAttempt.objects.create(delivery=delivery, started_at=now, error=why[:500],
                                   replayed_by=delivery.replay_requested_by)
    delivery.status, delivery.next_attempt_at, delivery.replay_requested_by = DeliveryStatus.GAVE_UP, None, None
    delivery.save(update_fields=["status", "next_attempt_at", "replay_requested_by", "updated_at"])
    return Outcome(delivery.status)
