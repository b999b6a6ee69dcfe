"""The CRM sync in the admin: endpoints (where events go), and every delivery with its attempts, replayable. Every
action calls a service; this module only wires the admin to them."""

import json

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html

from crm import services
from crm.catalog import event_choices
from crm.models import DeliveryAttempt, DeliveryStatus, EndpointKind, WebhookDelivery, WebhookEndpoint


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(max_length=500, assume_scheme="https", help_text="Where the events are POSTed")
    events = forms.MultipleChoiceField(choices=event_choices, widget=forms.CheckboxSelectMultiple,
                                       help_text="The events sent to this endpoint")

    class Meta:
        model = WebhookEndpoint
        fields = ("kind", "url", "secret", "events", "active", "description")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == EndpointKind.WEBHOOK and not cleaned.get("secret"):
            self.add_error("secret", "A signed webhook needs a secret (the receiver checks the signature with it).")
        return cleaned


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ("__str__", "kind", "url", "active", "subscribed")
    list_filter = ("kind", "active")
    search_fields = ("url", "description")

    @admin.display(description="Events")
    def subscribed(self, endpoint):
        return ", ".join(endpoint.events) or "-"


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    fields = ("started_at", "http_status", "duration_ms", "error", "response_excerpt", "replayed_by")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The record of what was sent where: read-only; a delivery is sent again with the Replay action."""

    list_display = ("created_at", "event", "endpoint", "contact", "status_badge", "attempt_count", "next_attempt_at",
                    "delivered_at")
    list_filter = ("status", "event", "endpoint")
    search_fields = ("event_id", "contact__phone", "contact__name")
    list_select_related = ("endpoint", "contact")
    inlines = [DeliveryAttemptInline]
    fields = ("event", "event_id", "endpoint", "contact", "status", "attempt_count", "next_attempt_at",
              "delivered_at", "replay_requested_by", "created_at", "body_json")
    readonly_fields = fields
    actions = ["replay"]

    STATUS_COLORS = {DeliveryStatus.PENDING: "#666", DeliveryStatus.DELIVERED: "#1a7f37",
                     DeliveryStatus.FAILED: "#bf8700", DeliveryStatus.GAVE_UP: "#cf222e"}

    @admin.display(description="Status", ordering="status")
    def status_badge(self, delivery):
        return format_html('<strong style="color:{}">{}</strong>', self.STATUS_COLORS[delivery.status],
                           delivery.get_status_display())

    @admin.display(description="Body")
    def body_json(self, delivery):
        return format_html("<pre>{}</pre>", json.dumps(delivery.body, indent=2, ensure_ascii=False))

    @admin.action(description="Replay: send the selected deliveries again", permissions=["replay"])
    def replay(self, request, queryset):
        queued = sum(services.delivery_replay(delivery=delivery, user=request.user) for delivery in queryset)
        left = queryset.count() - queued
        note = f"; {left} already pending (on their way) left as they were" if left else ""
        self.message_user(request, f"{queued} delivery(ies) queued for a new attempt{note}.", messages.SUCCESS)

    def has_replay_permission(self, request):
        return request.user.has_perm("crm.change_webhookdelivery")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
