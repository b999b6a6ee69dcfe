"""Appointments booked in the conversation, and the times offered to a prospect while they choose."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from leads.models import Contact, Message


class AppointmentKind(models.TextChoices):
    SHOWING = "showing", "Showing"     # a buyer sees homes with the agent
    LISTING = "listing", "Listing appointment"  # a seller's home, to list it


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    CANCELLED = "cancelled", "Cancelled"
    MOVED = "moved", "Moved to another time"


class Appointment(models.Model):
    """One time with an agent. A move keeps the row as `moved` (pointing at its new time) and books a new row with
    the same iCalendar UID and the next SEQUENCE, so calendars update the one event."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="appointments")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                              related_name="appointments")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    kind = models.CharField(max_length=10, choices=AppointmentKind.choices)
    status = models.CharField(max_length=10, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED)
    moved_to = models.OneToOneField("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="moved_from", help_text="The new time of a moved appointment")
    location = models.CharField(max_length=300, blank=True)
    uid = models.CharField("iCalendar UID", max_length=120, help_text="Shared by an appointment and its moves")
    sequence = models.PositiveIntegerField(default=0, help_text="iCalendar SEQUENCE: one more at each change")
    invited_sequence = models.IntegerField(null=True, blank=True,
                                           help_text="The SEQUENCE whose invites were e-mailed (none yet: empty)")
    source_message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                       help_text="The prospect's text that booked, moved or cancelled it")
    reminder_queued_at = models.DateTimeField(null=True, blank=True)
    reminder = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at"]
        indexes = [
            models.Index(fields=["agent", "starts_at"], name="appointment_agent_idx"),
            models.Index(fields=["status", "starts_at"], name="appointment_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="appointment_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} with {self.contact} at {self.starts_at:%Y-%m-%d %H:%M} UTC"


class OfferStatus(models.TextChoices):
    OPEN = "open", "Waiting for the prospect"
    TAKEN = "taken", "A time was picked"
    DECLINED = "declined", "None of them worked"
    CLOSED = "closed", "Replaced or left to the agent"


class SlotOffer(models.Model):
    """The times a text offered the prospect, so "the second one" can be read against them. One open per contact."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="slot_offers")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    starts = models.JSONField(help_text="The offered start times, ISO 8601 in UTC, in the order offered")
    status = models.CharField(max_length=10, choices=OfferStatus.choices, default=OfferStatus.OPEN)
    round = models.PositiveSmallIntegerField(default=1, help_text="Offers made in a row to this prospect")
    moving = models.ForeignKey(Appointment, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                               help_text="The appointment these times would move (empty: a new appointment)")
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                help_text="The text that offered them")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contact"], condition=Q(status="open"), name="one_open_offer_per_contact"),
        ]

    def __str__(self):
        return f"{len(self.starts)} times offered to {self.contact} ({self.get_status_display()})"
