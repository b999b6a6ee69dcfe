"""Two prospects taking the agent's same time at once, on two connections: one is booked, the other is told the
time is taken (the agent's profile row is locked while the time is checked)."""

import threading
from datetime import datetime
from datetime import timezone as utc_zone

import pytest
import time_machine
from django.db import connection

from booking.models import Appointment
from booking.services import SlotTaken, appointment_book
from leads.models import LeadType
from leads.services import contact_get_or_create

MONDAY_8AM_CHICAGO = datetime(2026, 12, 7, 14, 0, tzinfo=utc_zone.utc)
TUESDAY_10_CHICAGO = datetime(2026, 12, 8, 16, 0, tzinfo=utc_zone.utc)


@pytest.mark.django_db(transaction=True)
def test_two_prospects_one_time_one_booking(chicago_agent):
    contacts = []
    for phone in ("+13125550201", "+13125550202"):
        contact, _ = contact_get_or_create(phone=phone)
        contact.lead_type = LeadType.BUYER
        contact.save()
        contacts.append(contact)
    start = threading.Barrier(2)
    outcomes = {}

    def take(contact):
        try:
            with time_machine.travel(MONDAY_8AM_CHICAGO, tick=False):
                start.wait(10)
                appointment_book(contact=contact, agent=chicago_agent.user, starts_at=TUESDAY_10_CHICAGO)
            outcomes[contact.pk] = "booked"
        except SlotTaken:
            outcomes[contact.pk] = "taken"
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(contact,)) for contact in contacts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes.values()) == ["booked", "taken"]
    booked, = Appointment.objects.all()
    assert outcomes[booked.contact_id] == "booked" and booked.starts_at == TUESDAY_10_CHICAGO
