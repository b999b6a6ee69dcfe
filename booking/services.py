"""Writes of booking: offers of times, appointments booked, moved and cancelled, reminders queued. Each change is
announced (leads.events.appointment_changed) and its invites e-mailed once the change commits."""

from __future__ import annotations

import uuid
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from booking import wording
from booking.models import Appointment, AppointmentStatus, OfferStatus, SlotOffer
from booking.selectors import free_starts, kind_for, prospect_zone, reminders_due
from leads.events import announce_on_commit, appointment_changed
from leads.models import Author, Contact, Message
from sms.services import outbound_queue
from team.models import AgentProfile


class SlotTaken(Exception):
    """The time is no longer free for the agent (booked by someone else since it was offered)."""


def offer_record(*, contact: Contact, agent, starts: list[datetime], message: Message | None,
                 moving: Appointment | None = None, round: int = 1) -> SlotOffer:
    """The times a text offers; any offer still open for the contact is closed first (one open at a time)."""
    SlotOffer.objects.filter(contact=contact, status=OfferStatus.OPEN).update(status=OfferStatus.CLOSED)
    return SlotOffer.objects.create(contact=contact, agent=agent, starts=[s.isoformat() for s in starts],
                                    message=message, moving=moving, round=round)


def offer_settle(*, offer: SlotOffer, status: str) -> None:
    SlotOffer.objects.filter(pk=offer.pk, status=OfferStatus.OPEN).update(status=status)


@transaction.atomic
def appointment_book(*, contact: Contact, agent, starts_at: datetime, source_message: Message | None = None,
                     lead_type: str | None = None, uid: str = "", sequence: int = 0,
                     ignoring: Appointment | None = None, announce: bool = True,
                     offered_at: datetime | None = None) -> Appointment:
    """Book the agent at `starts_at`. The agent's profile row is locked while the time is checked, so two
    prospects picking one time are booked one after the other: the second gets SlotTaken. `offered_at`: when the
    time was offered (its lead time counts from then: a prospect who takes ten minutes to answer still gets the
    time they were offered). `announce`: False for the new time of a move, which is announced as the move."""
    profile = AgentProfile.objects.select_for_update().get(user=agent)
    if starts_at <= timezone.now() or starts_at not in free_starts(profile, contact, now=offered_at,
                                                                   ignoring=ignoring):
        raise SlotTaken(starts_at)
    kind = kind_for(lead_type or contact.lead_type)
    if kind is None:
        raise ValueError(f"contact {contact.pk} is a {contact.lead_type}: no appointment kind for that")
    appointment = Appointment.objects.create(
        contact=contact, agent=agent, starts_at=starts_at, ends_at=starts_at + wording.minutes("minutes"), kind=kind,
        location=_location(contact, agent), uid=uid or f"{uuid.uuid4()}@{_domain()}", sequence=sequence,
        source_message=source_message)
    if announce:
        _announce(appointment, "booked")
    return appointment


@transaction.atomic
def appointment_move(*, appointment: Appointment, starts_at: datetime, source_message: Message | None = None,
                     offered_at: datetime | None = None) -> Appointment:
    """The appointment at a new time: the old row is kept as moved, pointing at the new one, which carries the same
    UID and the next SEQUENCE (calendars update the event instead of adding one)."""
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.status != AppointmentStatus.BOOKED:
        raise SlotTaken(starts_at)
    moved = appointment_book(contact=appointment.contact, agent=appointment.agent, starts_at=starts_at,
                             source_message=source_message, uid=appointment.uid, sequence=appointment.sequence + 1,
                             ignoring=appointment, announce=False, offered_at=offered_at)
    appointment.status, appointment.moved_to = AppointmentStatus.MOVED, moved
    appointment.save(update_fields=["status", "moved_to", "updated_at"])
    _announce(moved, "moved", moved_from=appointment)
    return moved


@transaction.atomic
def appointment_cancel(*, appointment: Appointment, source_message: Message | None = None) -> Appointment:
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.status != AppointmentStatus.BOOKED:
        return appointment
    appointment.status, appointment.sequence = AppointmentStatus.CANCELLED, appointment.sequence + 1
    appointment.source_message = source_message or appointment.source_message
    appointment.save(update_fields=["status", "sequence", "source_message", "updated_at"])
    _announce(appointment, "cancelled")
    return appointment


def reminders_queue_due(now: datetime | None = None) -> list[int]:
    """Queue the reminder text of every appointment due one, through the outbound service (opt-out, quiet hours).
    Safe on several workers at once: each takes the rows no other has locked, and a row is marked in the same
    transaction as its text is queued, so no appointment is reminded twice."""
    now = now or timezone.now()
    queued = []
    with transaction.atomic():
        for appointment in reminders_due(now).select_for_update(skip_locked=True, of=("self",)).select_related(
                "contact", "agent"):
            language = appointment.contact.language
            zone = prospect_zone(appointment.contact)
            body = wording.words(language)["reminder"].format(
                kind=wording.kind_name(appointment.kind, language), agent=agent_name(appointment.agent),
                time=wording.clock(appointment.starts_at.astimezone(zone), language),
                zone=wording.zone_name(appointment.starts_at, zone))
            message = outbound_queue(contact=appointment.contact, body=body, author=Author.SYSTEM)
            appointment.reminder_queued_at, appointment.reminder = now, message
            appointment.save(update_fields=["reminder_queued_at", "reminder", "updated_at"])
            queued.append(appointment.pk)
    return queued


def agent_name(agent) -> str:
    if agent is None:
        return "our agent"
    return agent.get_short_name() or agent.get_full_name() or agent.get_username()


def _location(contact: Contact, agent) -> str:
    facts = contact.facts or {}
    if facts.get("address"):
        return facts["address"]
    areas = ", ".join(facts.get("areas") or [])
    return areas or wording.email("location_to_confirm").format(agent=agent_name(agent))


def _domain() -> str:
    return urlsplit(settings.PUBLIC_BASE_URL).hostname or "localhost"


def _announce(appointment: Appointment, status: str, *, moved_from: Appointment | None = None) -> None:
    """Once the change commits: the domain event for whoever keeps another system in step, and the invites."""
    payload = {
        "appointment_id": appointment.pk, "status": status, "kind": appointment.kind,
        "starts_at": appointment.starts_at.isoformat(), "ends_at": appointment.ends_at.isoformat(),
        "location": appointment.location, "uid": appointment.uid, "sequence": appointment.sequence,
        "agent": ({"id": appointment.agent.pk, "name": agent_name(appointment.agent), "email": appointment.agent.email}
                  if appointment.agent else None),
    }
    if moved_from is not None:
        payload["moved_from"] = {"appointment_id": moved_from.pk, "starts_at": moved_from.starts_at.isoformat()}
    contact_id = appointment.contact_id
    announce_on_commit(appointment_changed, contact_id, payload)
    from booking.tasks import send_appointment_invites  # Celery loads with the first booking, not at startup

    appointment_id = appointment.pk
    transaction.on_commit(lambda: send_appointment_invites.delay(appointment_id))
