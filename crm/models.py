"""Where the lead's events go (endpoints) and what became of each one sent there (deliveries and their attempts)."""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from crm.catalog import event_names, validate_event_names
from leads.models import Contact


def _new_secret() -> str:
    return secrets.token_urlsafe(32)


def _all_events() -> list[str]:
    return event_names()


class EndpointKind(models.TextChoices):
    WEBHOOK = "webhook", "Signed webhook (our JSON)"
    FOLLOW_UP_BOSS = "follow_up_boss", "Follow Up Boss (/v1/events)"


class WebhookEndpoint(models.Model):
    kind = models.CharField(max_length=20, choices=EndpointKind.choices, default=EndpointKind.WEBHOOK)
    url = models.URLField(max_length=500, help_text="Where the events are POSTed (https in production)")
    # Shared with the receiver, who checks X-Webhook-Signature with it. Follow Up Boss is authenticated with
    # FOLLOW_UP_BOSS_API_KEY instead (settings), so its endpoint's secret is unused.
    secret = models.CharField(max_length=200, default=_new_secret, blank=True,
                              help_text="HMAC-SHA256 key of X-Webhook-Signature; share it with the receiver")
    events = models.JSONField(default=_all_events, validators=[validate_event_names],
                              help_text="The events sent to this endpoint")
    active = models.BooleanField(default=True, help_text="Off: nothing new is sent; pending deliveries give up")
    description = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "url"]
        constraints = [
            # One Follow Up Boss connector: its account is the settings' API key.
            models.UniqueConstraint(fields=["kind"], condition=Q(kind="follow_up_boss"), name="one_follow_up_boss"),
        ]

    def __str__(self):
        return self.description or self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"              # waiting for its first attempt, or a replay
    DELIVERED = "delivered", "Delivered"        # the endpoint answered 2xx
    FAILED = "failed", "Failed (will retry)"    # the last attempt failed; another is due at next_attempt_at
    GAVE_UP = "gave_up", "Gave up"              # refused (4xx), out of attempts, or the endpoint is off


class WebhookDelivery(models.Model):
    """One event for one endpoint: the body is fixed when the event happens, so every attempt sends the same."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40)
    event_id = models.UUIDField(default=uuid.uuid4, help_text="The event's id (the body's id), one per event")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    body = models.JSONField()
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempt_count = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, help_text="When the next attempt is due")
    delivered_at = models.DateTimeField(null=True, blank=True)
    # Who asked for the next attempt from the admin; the attempt records it and clears it.
    replay_requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                            on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx")]
        constraints = [models.UniqueConstraint(fields=["endpoint", "event_id"], name="one_delivery_per_endpoint")]

    def __str__(self):
        return f"{self.event} to {self.endpoint}"


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempts")
    started_at = models.DateTimeField()
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True)
    error = models.CharField(max_length=500, blank=True, help_text="Why no answer came (timeout, refused)")
    duration_ms = models.PositiveIntegerField(default=0)
    replayed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", help_text="Who replayed it from the admin")

    class Meta:
        ordering = ["started_at", "id"]

    def __str__(self):
        return f"{self.http_status or self.error or 'attempt'} at {self.started_at:%Y-%m-%d %H:%M:%S}"
