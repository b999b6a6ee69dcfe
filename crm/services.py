"""Writes of the CRM sync: an event becomes one delivery per subscribed endpoint, each sent by its own task once
the rows are committed; a replay from the admin asks for one more attempt. Nothing here makes an HTTP request, so
whoever announces an event (an SMS turn) only pays for a few inserts."""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from crm.bodies import event_body, follow_up_boss_body
from crm.catalog import follow_up_boss_wording
from crm.delivery import raw_body
from crm.models import DeliveryStatus, EndpointKind, WebhookDelivery, WebhookEndpoint
from crm.selectors import due_delivery_ids, endpoints_for
from leads.models import Contact

logger = logging.getLogger(__name__)

FOLLOW_UP_BOSS_EVENTS_URL = "https://api.followupboss.com/v1/events"
# A sweep queues at most this many due deliveries; the next sweep takes the rest.
SWEEP_BATCH = 500


def follow_up_boss_endpoint_ensure() -> WebhookEndpoint | None:
    """With FOLLOW_UP_BOSS_API_KEY set, the Follow Up Boss endpoint exists (created once with the default events
    of data/follow_up_boss.toml; the operator may change them or switch it off in the admin)."""
    if not settings.FOLLOW_UP_BOSS_API_KEY:
        return None
    endpoint, _ = WebhookEndpoint.objects.get_or_create(
        kind=EndpointKind.FOLLOW_UP_BOSS,
        defaults={"url": FOLLOW_UP_BOSS_EVENTS_URL, "secret": "", "events": follow_up_boss_wording()["default_events"],
                  "description": "Follow Up Boss"})
    return endpoint


def event_record(*, event: str, contact_id: int, payload: dict) -> list[WebhookDelivery]:
    """One delivery per active endpoint subscribed to the event, its body fixed now, all in one INSERT; each is
    queued for sending when this commits. With no endpoint for the event this costs one query."""
    follow_up_boss_endpoint_ensure()
    endpoints = endpoints_for(event)
    contact = Contact.objects.filter(pk=contact_id).first() if endpoints else None
    if contact is None:  # nobody listens, or the contact was deleted since: nothing to tell
        return []
    event_id, occurred_at = str(uuid.uuid4()), timezone.now()
    deliveries = [WebhookDelivery(endpoint=endpoint, event=event, event_id=event_id, contact=contact,
                                  body=_body(endpoint, event, event_id, occurred_at, contact, payload),
                                  next_attempt_at=occurred_at)
                  for endpoint in endpoints]
    # In a block of its own: a sender that announces inside its transaction keeps it usable if this fails.
    with transaction.atomic():
        WebhookDelivery.objects.bulk_create(deliveries)
        for delivery in deliveries:
            _queue_after_commit(delivery.pk)
    return deliveries


def _body(endpoint: WebhookEndpoint, event: str, event_id: str, occurred_at, contact: Contact, payload: dict) -> dict:
    if endpoint.kind == EndpointKind.FOLLOW_UP_BOSS:
        body = follow_up_boss_body(event=event, occurred_at=occurred_at, contact=contact, payload=payload)
    else:
        body = event_body(event=event, event_id=event_id, occurred_at=occurred_at, contact=contact, payload=payload)
    raw_body(body)  # a payload that is not JSON fails here, with its reason, before anything is written
    return body


def delivery_replay(*, delivery: WebhookDelivery, user) -> bool:
    """One more attempt of a delivered, failed or given-up delivery, now, recorded as `user`'s; a pending one is
    already on its way (False)."""
    updated = WebhookDelivery.objects.filter(pk=delivery.pk).exclude(status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.PENDING, next_attempt_at=timezone.now(), replay_requested_by=user,
        updated_at=timezone.now())
    if updated:
        _queue_after_commit(delivery.pk)
    return bool(updated)


def deliveries_requeue_due(*, limit: int = SWEEP_BATCH) -> int:
    """Queue every delivery whose attempt is due: retries after their backoff, and any whose task was lost (a
    broker that was down when the event happened, a worker that died)."""
    with transaction.atomic():
        ids = due_delivery_ids(timezone.now(), limit)
        for delivery_id in ids:
            _queue_after_commit(delivery_id)
    return len(ids)


def _queue_after_commit(delivery_id: int) -> None:
    # The task module brings in Celery; imported when something is queued (as sms.services does).
    from crm.tasks import deliver_webhook

    # robust: a broker that is down must not fail the caller's committed work; the sweep queues the row later.
    transaction.on_commit(lambda: deliver_webhook.delay(delivery_id), robust=True)
