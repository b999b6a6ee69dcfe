"""The appointment's calendar invite (RFC 5545, written with the icalendar package) e-mailed to the agent and, when
their e-mail is known, to the prospect: METHOD:REQUEST for a new or moved time (a move keeps the UID with the next
SEQUENCE), METHOD:CANCEL for a cancellation."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from booking import wording
from booking.models import Appointment, AppointmentStatus
from booking.selectors import agent_zone
from booking.services import agent_name

logger = logging.getLogger(__name__)

PRODUCT_ID = "-//Lead qualification//Appointments//EN"


def method_for(appointment: Appointment) -> str:
    return "CANCEL" if appointment.status == AppointmentStatus.CANCELLED else "REQUEST"


def invite_ics(appointment: Appointment) -> bytes:
    """The .ics of the appointment as it stands (times in UTC, so every calendar reads the same moment)."""
    method = method_for(appointment)
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", appointment.uid)
    event.add("dtstamp", timezone.now())
    event.add("sequence", appointment.sequence)
    event.add("dtstart", appointment.starts_at)
    event.add("dtend", appointment.ends_at)
    event.add("summary", _summary(appointment))
    event.add("location", appointment.location)
    event.add("description", f"{appointment.contact.name or 'Prospect'} {appointment.contact.phone}")
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    if appointment.agent is not None and appointment.agent.email:
        organizer = vCalAddress(f"mailto:{appointment.agent.email}")
        organizer.params["cn"] = vText(agent_name(appointment.agent))
        event["organizer"] = organizer
    attendee = vCalAddress(f"mailto:{appointment.contact.email}" if appointment.contact.email
                           else f"tel:{appointment.contact.phone}")
    attendee.params["cn"] = vText(appointment.contact.name or appointment.contact.phone)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    event.add("attendee", attendee, encode=0)
    calendar.add_component(event)
    return calendar.to_ical()


def _summary(appointment: Appointment) -> str:
    return wording.email("summary").format(kind=appointment.get_kind_display(),
                                           contact=appointment.contact.name or appointment.contact.phone)


def send_invites(appointment_id: int) -> bool:
    """E-mail the invite of the appointment's current SEQUENCE once, however often this runs: the row is locked and
    marked as the mail goes (a failure to send rolls the mark back, so a retry sends it)."""
    with transaction.atomic():
        appointment = (Appointment.objects.select_for_update(of=("self",)).select_related("contact", "agent")
                       .filter(pk=appointment_id).first())
        if appointment is None or appointment.invited_sequence == appointment.sequence:
            return False
        if appointment.status == AppointmentStatus.MOVED:  # its new time's invite carries the change
            return False
        recipients = [address for address in (getattr(appointment.agent, "email", ""), appointment.contact.email)
                      if address]
        if recipients:
            _mail(appointment, recipients).send()
        else:
            logger.warning("appointment %s: nobody to e-mail the invite to (no agent or prospect e-mail)", appointment_id)
        appointment.invited_sequence = appointment.sequence
        appointment.save(update_fields=["invited_sequence", "updated_at"])
    return bool(recipients)


def _mail(appointment: Appointment, recipients: list[str]) -> EmailMessage:
    method = method_for(appointment)
    contact = appointment.contact
    zone = agent_zone(appointment)  # the e-mail reads in the agent's zone; calendars show their own
    values = {"kind": appointment.get_kind_display(), "contact": contact.name or contact.phone, "phone": contact.phone,
              "when": appointment.starts_at.astimezone(zone).strftime("%a %b %-d, %Y %-I:%M %p"),
              "zone": wording.zone_name(appointment.starts_at, zone), "location": appointment.location,
              "agent": agent_name(appointment.agent)}
    name = "cancel" if method == "CANCEL" else ("moved" if appointment.sequence else "request")
    message = EmailMessage(subject=wording.email(f"subject_{name}").format(**values),
                           body=wording.email(f"body_{'cancel' if name == 'cancel' else 'request'}").format(**values),
                           from_email=settings.DEFAULT_FROM_EMAIL, to=recipients)
    message.attach("invite.ics", invite_ics(appointment), f"text/calendar; method={method}; charset=utf-8")
    return message



