"""The whole conversation through the signed Twilio webhook, every task run eagerly in this process: a buyer texts
until they are ready, is offered the agent's times, picks one in words, and ends with a booked appointment, its
invite e-mailed to the agent and the prospect, and the agents alerted of the handoff as before."""

import itertools
from datetime import datetime, timedelta
from datetime import timezone as utc_zone

import pytest
import time_machine
from icalendar import Calendar

from booking.models import Appointment, AppointmentStatus
from leads.models import Author, Contact, DeliveryStatus, Direction, Message
from tests.support.webhooks import inbound_params, signed_post

pytestmark = pytest.mark.django_db

MONDAY_10AM_CHICAGO = datetime(2026, 12, 7, 16, 0, tzinfo=utc_zone.utc)
SIDS = (f"SM{n:032d}" for n in itertools.count(500))


def test_texts_through_the_webhook_end_in_a_booked_appointment(client, chicago_agent, eager_tasks, settings,
                                                               mailoutbox, django_capture_on_commit_callbacks):
    settings.ANTHROPIC_API_KEY = ""
    settings.SMS_BACKEND = "console"
    settings.AGENT_ALERT_EMAILS = ["team@example.com"]
    phone = "+13125550190"  # Chicago, like the agent
    texts = ["hi, we want to buy a house", "Sam Ortiz", "we're pre-approved for 450k", "moving in 2 months",
             "tuesday at 9 works", "thanks!"]
    for minute, body in enumerate(texts):
        with time_machine.travel(MONDAY_10AM_CHICAGO + timedelta(minutes=minute), tick=False):
            with django_capture_on_commit_callbacks(execute=True):
                response = signed_post(client, "/sms/inbound", inbound_params(body=body, sender=phone, sid=next(SIDS)))
            assert response.status_code == 200
    contact = Contact.objects.get(phone=phone)
    replies = list(Message.objects.filter(contact=contact, direction=Direction.OUTBOUND).order_by("id"))
    bodies = [reply.body for reply in replies]
    assert bodies[3] == ("Thanks, Sam! Dana on our team can meet you for a showing: Mon Dec 7 at 12:30 pm, "
                         "Mon Dec 7 at 3:30 pm or Tue Dec 8 at 9:00 am (CST). Which works best?")
    assert bodies[4] == ("You're booked: showing with Dana on Tue Dec 8 at 9:00 am (CST). We'll text you a reminder. "
                         "To change it, just text us here.")
    assert len(replies) == 5  # "thanks!" after the booking is the agent's to answer: the bot is paused
    assert [reply.author for reply in replies[3:]] == [Author.HANDOFF, Author.HANDOFF]
    assert all(reply.status == DeliveryStatus.SENT for reply in replies)  # sent (console backend), none suppressed
    appointment = Appointment.objects.get(contact=contact)
    assert appointment.status == AppointmentStatus.BOOKED and appointment.agent == chicago_agent.user
    assert appointment.starts_at == datetime(2026, 12, 8, 15, 0, tzinfo=utc_zone.utc)
    contact.refresh_from_db()
    assert contact.needs_agent and contact.bot_paused and contact.handoff_reason == "hot lead"
    alert, invite = mailoutbox
    # Routing gave the lead to the team's only agent in the handoff's turn, before the times were offered.
    assert alert.to == ["dana@example.com"] and "Lead assigned to you" in alert.subject
    assert contact.assignment.agent == chicago_agent.user
    assert invite.to == ["dana@example.com"]
    (_, ics, mimetype), = invite.attachments
    event, = Calendar.from_ical(ics).walk("VEVENT")
    assert event.decoded("DTSTART") == appointment.starts_at and str(event["UID"]) == appointment.uid
