"""The invites: an RFC 5545 .ics parsed back (METHOD, UID, DTSTAMP, DTSTART/DTEND in UTC, SUMMARY, LOCATION,
ORGANIZER, ATTENDEE, SEQUENCE), e-mailed as text/calendar to the agent and the prospect with a known e-mail; a
move keeps the UID with the next SEQUENCE, a cancellation is METHOD:CANCEL; each e-mailed once; and the domain
event after commit."""

from datetime import datetime, timedelta
from datetime import timezone as utc_zone

import pytest
from icalendar import Calendar

from booking.invites import invite_ics, send_invites
from booking.models import AppointmentStatus
from booking.services import appointment_book, appointment_cancel, appointment_move
from leads.events import appointment_changed
from leads.models import LeadType
from leads.services import contact_get_or_create

pytestmark = pytest.mark.django_db

TUESDAY_10_CHICAGO = datetime(2026, 12, 8, 16, 0, tzinfo=utc_zone.utc)


def seller(phone="+13125550150", email="priya@example.com"):
    contact, _ = contact_get_or_create(phone=phone, name="Priya Shah")
    contact.lead_type, contact.email = LeadType.SELLER, email
    contact.facts = {"address": "1204 Maple Ridge Dr"}
    contact.save()
    return contact


def event_of(ics: bytes):
    calendar = Calendar.from_ical(ics)
    events = [c for c in calendar.walk("VEVENT")]
    assert len(events) == 1
    return calendar, events[0]


def attachment_of(mail):
    (name, content, mimetype), = mail.attachments
    assert name == "invite.ics"
    return content.encode() if isinstance(content, str) else content, mimetype


def test_booking_emails_a_request_to_agent_and_prospect(chicago_agent, monday_morning, eager_tasks, mailoutbox,
                                                       django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        appointment = appointment_book(contact=seller(), agent=chicago_agent.user, starts_at=TUESDAY_10_CHICAGO)
    mail, = mailoutbox
    assert sorted(mail.to) == ["dana@example.com", "priya@example.com"]
    assert "Listing appointment: Priya Shah" in mail.subject and "Tue Dec 8, 2026 10:00 AM" in mail.subject
    ics, mimetype = attachment_of(mail)
    assert mimetype.startswith("text/calendar") and "method=REQUEST" in mimetype
    calendar, event = event_of(ics)
    assert str(calendar["METHOD"]) == "REQUEST" and str(calendar["VERSION"]) == "2.0"
    assert str(event["UID"]) == appointment.uid and "@" in appointment.uid
    assert event.decoded("DTSTART") == TUESDAY_10_CHICAGO
    assert event.decoded("DTEND") == TUESDAY_10_CHICAGO + timedelta(hours=1)
    assert b"DTSTART:20261208T160000Z" in ics  # in UTC, as RFC 5545 form 2 writes it
    assert event.decoded("DTSTAMP").tzinfo is not None
    assert str(event["SUMMARY"]) == "Listing appointment with Priya Shah"
    assert str(event["LOCATION"]) == "1204 Maple Ridge Dr"
    assert str(event["ORGANIZER"]) == "mailto:dana@example.com" and event["ORGANIZER"].params["CN"] == "Dana"
    assert str(event["ATTENDEE"]) == "mailto:priya@example.com"
    assert int(event["SEQUENCE"]) == 0 and str(event["STATUS"]) == "CONFIRMED"


def test_a_prospect_without_email_is_named_by_phone_and_only_the_agent_is_mailed(chicago_agent, monday_morning,
                                                                                 eager_tasks, mailoutbox,
                                                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        appointment_book(contact=seller(email=""), agent=chicago_agent.user, starts_at=TUESDAY_10_CHICAGO)
    mail, = mailoutbox
    assert mail.to == ["dana@example.com"]
    _, event = event_of(attachment_of(mail)[0])
    assert str(event["ATTENDEE"]) == "tel:+13125550150"


def test_a_move_keeps_the_uid_with_the_next_sequence_and_a_cancel_is_method_cancel(
        chicago_agent, monday_morning, eager_tasks, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = appointment_book(contact=seller(), agent=chicago_agent.user, starts_at=TUESDAY_10_CHICAGO)
    wednesday = TUESDAY_10_CHICAGO + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        moved = appointment_move(appointment=first, starts_at=wednesday)
    first.refresh_from_db()
    assert first.status == AppointmentStatus.MOVED and first.moved_to == moved
    assert len(mailoutbox) == 2
    assert mailoutbox[1].subject == "Moved: Listing appointment with Priya Shah to Wed Dec 9, 2026 10:00 AM"
    _, event = event_of(attachment_of(mailoutbox[1])[0])
    assert str(event["UID"]) == first.uid and int(event["SEQUENCE"]) == 1 and event.decoded("DTSTART") == wednesday
    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel(appointment=moved)
    ics, mimetype = attachment_of(mailoutbox[2])
    calendar, event = event_of(ics)
    assert "method=CANCEL" in mimetype and str(calendar["METHOD"]) == "CANCEL"
    assert str(event["UID"]) == first.uid and int(event["SEQUENCE"]) == 2 and str(event["STATUS"]) == "CANCELLED"
    assert mailoutbox[2].subject.startswith("Cancelled: ")


def test_invites_go_out_once_however_often_the_task_runs(chicago_agent, monday_morning, mailoutbox):
    appointment = appointment_book(contact=seller(), agent=chicago_agent.user, starts_at=TUESDAY_10_CHICAGO)
    assert send_invites(appointment.pk) is True
    assert send_invites(appointment.pk) is False
    assert len(mailoutbox) == 1


def test_the_ics_is_well_formed_rfc5545(chicago_agent, monday_morning):
    appointment = appointment_book(contact=seller(), agent=chicago_agent.user, starts_at=TUESDAY_10_CHICAGO)
    ics = invite_ics(appointment)
    lines = ics.split(b"\r\n")
    assert lines[0] == b"BEGIN:VCALENDAR" and lines[-2] == b"END:VCALENDAR" and lines[-1] == b""
    assert all(len(line) <= 75 for line in lines)  # folded at 75 octets
    assert b"PRODID:" in ics and b"BEGIN:VEVENT" in ics


def test_each_change_is_announced_after_commit_with_a_json_ready_payload(chicago_agent, monday_morning, eager_tasks,
                                                                        django_capture_on_commit_callbacks):
    import json

    heard = []

    def listener(sender, contact_id, payload, **kwargs):
        heard.append((contact_id, payload))

    appointment_changed.connect(listener)
    try:
        contact = seller()
        with django_capture_on_commit_callbacks(execute=False) as pending:
            appointment = appointment_book(contact=contact, agent=chicago_agent.user, starts_at=TUESDAY_10_CHICAGO)
        assert heard == []  # nothing is heard before the booking commits
        for callback in pending:
            callback()
        with django_capture_on_commit_callbacks(execute=True):
            moved = appointment_move(appointment=appointment, starts_at=TUESDAY_10_CHICAGO + timedelta(days=1))
        with django_capture_on_commit_callbacks(execute=True):
            appointment_cancel(appointment=moved)
    finally:
        appointment_changed.disconnect(listener)
    statuses = [payload["status"] for _, payload in heard]
    assert statuses == ["booked", "moved", "cancelled"]
    assert all(contact_id == contact.pk for contact_id, _ in heard)
    booked = heard[0][1]
    assert booked["appointment_id"] == appointment.pk and booked["kind"] == "listing"
    assert booked["starts_at"] == "2026-12-08T16:00:00+00:00"
    assert booked["agent"] == {"id": chicago_agent.user.pk, "name": "Dana", "email": "dana@example.com"}
    assert heard[1][1]["moved_from"] == {"appointment_id": appointment.pk, "starts_at": "2026-12-08T16:00:00+00:00"}
    json.dumps([payload for _, payload in heard])
