"""The reminder text two hours before: queued by the beat task once however often (and on however many workers)
it runs, through the outbound service (quiet hours, opt-out); never for a cancelled or moved appointment."""

import threading
from datetime import datetime, timedelta
from datetime import timezone as utc_zone

import pytest
import time_machine
from django.db import connection, transaction

from booking.models import Appointment, AppointmentKind, AppointmentStatus
from booking.services import reminders_queue_due
from booking.tasks import send_due_reminders
from leads.models import Author, DeliveryStatus, Direction, LeadType, Message
from leads.services import contact_get_or_create, contact_set_opt_out
from sms.outbound import send

TUESDAY_10_CHICAGO = datetime(2026, 12, 8, 16, 0, tzinfo=utc_zone.utc)


def appointment(agent, phone="+13125550160", starts_at=TUESDAY_10_CHICAGO, status=AppointmentStatus.BOOKED,
                language="en"):
    contact, _ = contact_get_or_create(phone=phone, name="Sam")
    contact.lead_type, contact.language = LeadType.BUYER, language
    contact.save()
    return Appointment.objects.create(contact=contact, agent=agent, starts_at=starts_at,
                                      ends_at=starts_at + timedelta(hours=1), kind=AppointmentKind.SHOWING,
                                      status=status, uid=f"r-{phone}@test")


def reminders(contact=None):
    texts = Message.objects.filter(direction=Direction.OUTBOUND, author=Author.SYSTEM)
    return list(texts.filter(contact=contact) if contact else texts)


@pytest.mark.django_db
def test_the_reminder_is_due_two_hours_before_and_queued_once(chicago_agent):
    booked = appointment(chicago_agent.user)
    assert reminders_queue_due(TUESDAY_10_CHICAGO - timedelta(hours=2, minutes=1)) == []
    assert reminders_queue_due(TUESDAY_10_CHICAGO - timedelta(hours=2)) == [booked.pk]
    assert reminders_queue_due(TUESDAY_10_CHICAGO - timedelta(hours=1)) == []  # the beat runs again: nothing twice
    with time_machine.travel(TUESDAY_10_CHICAGO - timedelta(minutes=90), tick=False):
        assert send_due_reminders() == []
    text, = reminders()
    assert text.body == "Reminder: your showing with Dana is today at 10:00 am (CST). Reply here if anything changes."
    booked.refresh_from_db()
    assert booked.reminder == text and booked.reminder_queued_at == TUESDAY_10_CHICAGO - timedelta(hours=2)


@pytest.mark.django_db
def test_the_reminder_reads_in_the_prospects_zone_and_language(chicago_agent):
    appointment(chicago_agent.user, phone="+13105550160", language="es")  # Los Angeles, in Spanish
    reminders_queue_due(TUESDAY_10_CHICAGO - timedelta(hours=2))
    text, = reminders()
    assert text.body == "Recordatorio: su visita con Dana es hoy a las 8:00 am (PST). Responda aquí si algo cambia."


@pytest.mark.django_db
def test_no_reminder_for_a_cancelled_or_moved_appointment_or_after_an_opt_out_or_the_start(chicago_agent):
    appointment(chicago_agent.user, phone="+13125550161", status=AppointmentStatus.CANCELLED)
    appointment(chicago_agent.user, phone="+13125550162", status=AppointmentStatus.MOVED)
    opted_out = appointment(chicago_agent.user, phone="+13125550163")
    contact_set_opt_out(contact=opted_out.contact, opted_out=True)
    appointment(chicago_agent.user, phone="+13125550164", starts_at=TUESDAY_10_CHICAGO - timedelta(hours=3))
    assert reminders_queue_due(TUESDAY_10_CHICAGO - timedelta(hours=2)) == []
    assert reminders() == []


@pytest.mark.django_db
def test_a_reminder_due_in_quiet_hours_waits_for_the_morning(chicago_agent, twilio):
    # 9 am in Los Angeles: due at 7 am there, before the first hour a text may go out (8 am).
    nine_la = datetime(2026, 12, 8, 17, 0, tzinfo=utc_zone.utc)
    appointment(chicago_agent.user, phone="+13105550165", starts_at=nine_la)
    reminders_queue_due(nine_la - timedelta(hours=2))
    text, = reminders()
    outcome = send(text.pk, now=nine_la - timedelta(hours=2))
    assert outcome.status == DeliveryStatus.DEFERRED
    assert outcome.send_after == datetime(2026, 12, 8, 16, 0, tzinfo=utc_zone.utc)  # 8 am in Los Angeles
    assert len(twilio.calls) == 0


@pytest.mark.django_db
def test_an_opt_out_after_queuing_suppresses_the_reminder(chicago_agent):
    booked = appointment(chicago_agent.user, phone="+13125550166")
    reminders_queue_due(TUESDAY_10_CHICAGO - timedelta(hours=2))
    contact_set_opt_out(contact=booked.contact, opted_out=True)
    text, = reminders()
    assert send(text.pk, now=TUESDAY_10_CHICAGO - timedelta(hours=2)).status == DeliveryStatus.SUPPRESSED


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_remind_once(chicago_agent):
    booked = appointment(chicago_agent.user, phone="+13125550167")
    due = TUESDAY_10_CHICAGO - timedelta(hours=2)
    locked, release = threading.Event(), threading.Event()

    def other_worker():
        # Another worker is in the middle of this appointment's reminder: it holds the row's lock.
        try:
            with transaction.atomic():
                Appointment.objects.select_for_update().get(pk=booked.pk)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    worker = threading.Thread(target=other_worker)
    worker.start()
    assert locked.wait(10)
    try:
        assert reminders_queue_due(due) == []  # the locked row is skipped, not waited for or sent twice
    finally:
        release.set()
        worker.join()
    assert reminders_queue_due(due) == [booked.pk]
    assert reminders_queue_due(due) == []
    assert len(reminders()) == 1
