"""Appointments in the agents' admin, through HTTP as an agent (staff in the Agents group, not a superuser): the
upcoming ones listed, a contact's on its page, and a cancellation through the service."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from booking.models import Appointment, AppointmentKind, AppointmentStatus
from leads.models import LeadType
from tests.support.factories import ContactFactory

pytestmark = pytest.mark.django_db


def appointment(contact, agent, starts_at, status=AppointmentStatus.BOOKED):
    return Appointment.objects.create(contact=contact, agent=agent, starts_at=starts_at,
                                      ends_at=starts_at + timedelta(hours=1), kind=AppointmentKind.SHOWING,
                                      status=status, location="Noe Valley", uid=f"{starts_at:%s}@test")


@pytest.fixture
def booked(agent):
    colleague = User.objects.create_user("lee", first_name="Lee", email="lee@example.com")
    contact = ContactFactory(phone="+14155550111", name="Maya Chen", lead_type=LeadType.BUYER)
    soon = timezone.now() + timedelta(days=1)
    return {
        "contact": contact,
        "upcoming": appointment(contact, colleague, soon),
        "past": appointment(contact, colleague, timezone.now() - timedelta(days=2)),
        "cancelled": appointment(ContactFactory(phone="+14155550112", name="Ravi Patel"), colleague,
                                 soon + timedelta(hours=3), status=AppointmentStatus.CANCELLED),
    }


def test_agents_see_upcoming_appointments_by_default(client, booked):
    page = client.get(reverse("admin:booking_appointment_changelist"))
    assert page.status_code == 200
    listed = list(page.context["cl"].result_list)
    assert listed == [booked["upcoming"]]
    assert "Starts (agent&#x27;s time)" in page.content.decode() or "Starts (agent's time)" in page.content.decode()
    everything = client.get(reverse("admin:booking_appointment_changelist") + "?when=all")
    assert set(everything.context["cl"].result_list) == {booked["upcoming"], booked["past"], booked["cancelled"]}


def test_the_contact_page_shows_its_appointments(client, booked):
    page = client.get(reverse("admin:leads_contact_change", args=[booked["contact"].pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Appointments" in html and "Noe Valley" in html and html.count("Showing") >= 2


def test_an_agent_cancels_through_the_service(client, booked, mailoutbox, django_capture_on_commit_callbacks,
                                              settings):
    from config.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("admin:booking_appointment_changelist"), {
                "action": "cancel_appointments", "_selected_action": [booked["upcoming"].pk]})
    finally:
        app.conf.task_always_eager = False
    assert response.status_code == 302
    booked["upcoming"].refresh_from_db()
    assert booked["upcoming"].status == AppointmentStatus.CANCELLED and booked["upcoming"].sequence == 1
    mail, = mailoutbox
    assert mail.to == ["lee@example.com"] and mail.subject.startswith("Cancelled: ")


def test_appointments_cannot_be_added_or_deleted_in_the_admin(client, booked):
    assert client.get(reverse("admin:booking_appointment_add")).status_code == 403
    assert client.get(reverse("admin:booking_appointment_delete", args=[booked["upcoming"].pk])).status_code == 403
