"""The agents' follow-up screens: the next follow-up on the contact page with pause, resume and cancel; the list's
"follow-up due today" filter; the dashboard's reply rate after a follow-up."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from leads.models import Author, ConsentMethod, Direction, FollowUp, FollowUpStatus, Message, MessagePurpose
from leads.selectors import follow_up_reply_rate
from leads.services import consent_record, follow_up_start, message_record_inbound
from tests.support.factories import ContactFactory

pytestmark = pytest.mark.django_db


def planned(phone, *, anchor=None):
    contact = ContactFactory(phone=phone, name="Ana Reyes")
    consent_record(contact=contact, method=ConsentMethod.AGENT_NOTE, note="agreed")
    follow_up_start(contact=contact, anchor_at=anchor or timezone.now())
    return contact


def page(client, contact):
    return client.get(reverse("admin:leads_contact_change", args=[contact.pk])).content.decode()


def act(client, contact, action):
    return client.post(reverse("admin:leads_contact_action", args=[contact.pk, action]))


def test_the_contact_page_shows_the_next_follow_up_and_pauses_resumes_and_cancels_it(client, agent):
    contact = planned("+12125550170")
    html = page(client, contact)
    assert "Next follow-up (nudge 1)" in html and 'data-action="pause_follow_ups"' in html
    assert 'data-action="resume_follow_ups"' not in html
    act(client, contact, "pause_follow_ups")
    assert FollowUp.objects.get(contact=contact).status == FollowUpStatus.PAUSED
    html = page(client, contact)
    assert "Follow-ups paused by an agent" in html and 'data-action="resume_follow_ups"' in html
    act(client, contact, "resume_follow_ups")
    assert FollowUp.objects.get(contact=contact).status == FollowUpStatus.ACTIVE
    act(client, contact, "cancel_follow_ups")
    plan = FollowUp.objects.get(contact=contact)
    assert plan.status == FollowUpStatus.STOPPED and plan.stop_reason == "cancelled by dana"
    html = page(client, contact)
    assert "Follow-ups stopped: cancelled by dana" in html and 'data-action="cancel_follow_ups"' not in html


def test_a_stale_pause_button_does_nothing_and_says_why(client, agent):
    contact = planned("+12125550171")
    act(client, contact, "cancel_follow_ups")
    response = client.post(reverse("admin:leads_contact_action", args=[contact.pk, "pause_follow_ups"]), follow=True)
    assert "nothing done" in response.content.decode()
    assert FollowUp.objects.get(contact=contact).status == FollowUpStatus.STOPPED


def test_the_list_filters_follow_ups_due_today(client, agent):
    now = timezone.now()
    due = planned("+12125550172", anchor=now - timedelta(hours=1))          # its nudge was due 50 minutes ago
    later = planned("+12125550173", anchor=now + timedelta(days=2))         # due in two days
    ContactFactory(phone="+12125550174")                                    # no plan
    html = client.get(reverse("admin:leads_contact_changelist") + "?follow_up=due_today").content.decode()
    assert due.phone in html and later.phone not in html and "+12125550174" not in html


def test_the_reply_rate_counts_follow_ups_answered_within_a_day(client, agent):
    now = timezone.now()
    answered, ignored = planned("+12125550175"), planned("+12125550176")
    for contact in (answered, ignored):
        Message.objects.create(conversation=contact.conversations.first() or contact.conversations.create(),
                               contact=contact, direction=Direction.OUTBOUND, author=Author.BOT, body="Checking in",
                               purpose=MessagePurpose.NUDGE, status="delivered", sent_at=now - timedelta(hours=3))
    message_record_inbound(contact=answered, body="yes still looking", twilio_sid=None)
    rate = follow_up_reply_rate(7)
    assert (rate.sent, rate.replied, rate.rate) == (2, 1, 0.5)
    html = client.get("/dashboard/?days=7").content.decode()
    assert "replied within a day of a follow-up (1 of 2 sent in 7 days)" in html and ">50%<" in html
