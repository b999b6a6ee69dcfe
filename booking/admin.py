"""Appointments in the admin: agents see the upcoming ones (each contact's are on the contact page, agents/admin.py),
and cancel one through the service (which e-mails the cancellation and announces it)."""

from django.contrib import admin, messages
from django.utils import timezone

from booking.models import Appointment, AppointmentStatus, SlotOffer
from booking.selectors import agent_zone, appointments_upcoming
from booking.services import appointment_cancel

READ_ONLY = ("contact", "agent", "starts_at", "ends_at", "kind", "status", "location", "moved_to", "uid", "sequence",
             "invited_sequence", "source_message", "reminder_queued_at", "reminder", "created_at", "updated_at")


class WhenFilter(admin.SimpleListFilter):
    title = "when"
    parameter_name = "when"

    def lookups(self, request, model_admin):
        return (("upcoming", "Upcoming"), ("past", "Past"), ("all", "All"))

    def choices(self, changelist):
        # Upcoming is what an agent opens the list for: it is the default, not "All".
        for value, label in self.lookup_choices:
            yield {"selected": (self.value() or "upcoming") == value, "display": label,
                   "query_string": changelist.get_query_string({self.parameter_name: value})}

    def queryset(self, request, queryset):
        when = self.value() or "upcoming"
        if when == "upcoming":
            return appointments_upcoming(queryset)
        if when == "past":
            return queryset.filter(starts_at__lte=timezone.now())
        return queryset


@admin.action(description="Cancel the selected appointments (the agent and prospect get the cancellation)")
def cancel_appointments(model_admin, request, queryset):
    cancelled = sum(appointment_cancel(appointment=appointment).status == AppointmentStatus.CANCELLED
                    for appointment in queryset.filter(status=AppointmentStatus.BOOKED))
    model_admin.message_user(request, f"{cancelled} appointment(s) cancelled.", messages.SUCCESS)


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ("starts_for_agent", "kind", "contact", "agent", "status", "location")
    list_filter = (WhenFilter, "status", "kind", "agent")
    search_fields = ("contact__phone", "contact__name", "agent__username", "agent__first_name")
    readonly_fields = READ_ONLY
    actions = [cancel_appointments]
    ordering = ("starts_at",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("contact", "agent__agent_profile")

    @admin.display(description="Starts (agent's time)", ordering="starts_at")
    def starts_for_agent(self, appointment):
        zone = agent_zone(appointment)
        local = appointment.starts_at.astimezone(zone)
        return f"{local:%a %b %-d, %Y %-I:%M %p} {local.tzname()}"

    def has_add_permission(self, request):
        return False  # booked in the conversation (or by the agent's own calendar), not typed in here

    def has_delete_permission(self, request, obj=None):
        return False  # a cancellation is a change the prospect is told of: cancel instead


@admin.register(SlotOffer)
class SlotOfferAdmin(admin.ModelAdmin):
    list_display = ("created_at", "contact", "agent", "status", "round", "starts")
    list_filter = ("status",)
    readonly_fields = ("contact", "agent", "starts", "status", "round", "moving", "message", "created_at")

    def has_add_permission(self, request):
        return False
