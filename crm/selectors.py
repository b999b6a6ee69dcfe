"""Reads of the CRM sync: which endpoints hear an event, and which deliveries are due."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q

from crm.models import DeliveryStatus, EndpointKind, WebhookDelivery, WebhookEndpoint


def endpoints_for(event: str) -> list[WebhookEndpoint]:
    """The active endpoints subscribed to the event; Follow Up Boss only while its API key is configured."""
    endpoints = WebhookEndpoint.objects.filter(active=True, events__contains=[event])
    if not settings.FOLLOW_UP_BOSS_API_KEY:
        endpoints = endpoints.exclude(kind=EndpointKind.FOLLOW_UP_BOSS)
    return list(endpoints.order_by("pk"))


# A new or replayed delivery's own task normally runs within seconds; the sweep takes it only after this long, so
# it does not queue a second task for nearly every new row.
PENDING_GRACE = timedelta(minutes=2)


def due_delivery_ids(now: datetime, limit: int) -> list[int]:
    """Deliveries whose next attempt is due (a retry after its backoff, or a pending one whose task was lost),
    skipping any an attempt holds right now (the caller is in a transaction: the rows stay locked until it ends,
    so two sweeps never take the same row)."""
    due = (Q(status=DeliveryStatus.FAILED, next_attempt_at__lte=now)
           | Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now - PENDING_GRACE))
    return list(WebhookDelivery.objects.select_for_update(skip_locked=True).filter(due)
                .order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
