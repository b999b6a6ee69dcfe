"""Follow-ups: the schedule on a simulated clock (10 minutes, 1, 3 and 7 days after our unanswered question, then
monthly nurture texts), the clock reset by every reply, the stops (opt-out, not interested, wrong number, a handoff,
an agent taking over), nudges worded for the dialogue state, and two workers racing for the same follow-ups on two
real database connections. Turns run with the offline provider; Twilio is faked at the HTTP layer."""

import threading
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
from django.db import connection

from bots.followups import send_due_follow_ups
from bots.services import run_turn
from caching.services import LLMCache
from leads.models import ConsentMethod, Contact, DeliveryStatus, FollowUp, FollowUpStatus, Message, MessagePurpose
from leads.services import consent_record, contact_take_over, follow_up_pause, follow_up_start
from sms import outbound
from sms.inbound import receive_sms
from tests.support.factories import ContactFactory
from tests.support.twilio import twilio_created

pytestmark = pytest.mark.django_db

# 11am in New York: every offset of the schedule (whole days after a 10-minute nudge) lands inside allowed hours.
T0 = datetime(2026, 11, 2, 16, 0, tzinfo=dt_timezone.utc)
SIDS = iter(f"SM{n:032x}" for n in range(10_000, 20_000))


def prospect_texts(phone: str, body: str, at: datetime):
    import time_machine

    with time_machine.travel(at, tick=False):
        received = receive_sms(from_number=phone, body=body, message_sid=next(SIDS))
        return run_turn(received.message.pk, cache=LLMCache())


def send_everything_queued(twilio, now):
    """What the send tasks would do once their transactions commit (they do not run inside a test's transaction)."""
    for message in Message.objects.filter(direction="outbound", status=DeliveryStatus.QUEUED):
        twilio.add(twilio_created(sid=next(SIDS)))
        outbound.send(message.pk, now=now)


def test_the_schedule_nudges_at_10_minutes_1_3_and_7_days_then_monthly_then_stops(twilio, settings):
    settings.FOLLOW_UP_NURTURE_MONTHS = 2
    prospect_texts("+12125550160", "hi, we want to buy a house", T0)
    send_everything_queued(twilio, T0)
    contact = Contact.objects.get(phone="+12125550160")
    question = Message.objects.get(contact=contact, direction="outbound")
    plan = contact.follow_up
    assert plan.anchor_at == question.created_at and plan.due_at == question.created_at + timedelta(minutes=10)

    expected = [timedelta(minutes=10), timedelta(days=1), timedelta(days=3), timedelta(days=7),
                timedelta(days=37), timedelta(days=67)]
    for number, offset in enumerate(expected):
        just_before = plan.anchor_at + offset - timedelta(seconds=1)
        assert send_due_follow_ups(now=just_before) == []
        sent = send_due_follow_ups(now=plan.anchor_at + offset)
        assert len(sent) == 1, number
        assert send_due_follow_ups(now=plan.anchor_at + offset) == []  # run again: nothing more
        nudge = Message.objects.get(pk=sent[0])
        assert nudge.purpose == (MessagePurpose.NUDGE if number < 4 else MessagePurpose.NURTURE)
        send_everything_queued(twilio, plan.anchor_at + offset)
        nudge.refresh_from_db()
        assert nudge.status == "queued" and nudge.twilio_sid  # Twilio took it
    plan.refresh_from_db()
    assert plan.status == FollowUpStatus.STOPPED and plan.stop_reason == "schedule finished" and plan.due_at is None
    assert send_due_follow_ups(now=plan.anchor_at + timedelta(days=400)) == []


def test_a_nudge_repeats_the_unanswered_question_in_the_contacts_language(twilio):
    prospect_texts("+12125550161", "hola, queremos comprar una casa", T0)
    send_everything_queued(twilio, T0)
    prospect_texts("+12125550161", "Lucia", T0 + timedelta(minutes=1))
    send_everything_queued(twilio, T0 + timedelta(minutes=1))
    [nudge_id] = send_due_follow_ups(now=T0 + timedelta(minutes=12))
    body = Message.objects.get(pk=nudge_id).body
    assert body.startswith("Hola Lucia,") and "pre-aprobacion" in body


def test_every_reply_resets_the_clock(twilio):
    phone = "+12125550162"
    prospect_texts(phone, "hi, we want to buy a house", T0)
    send_everything_queued(twilio, T0)
    assert len(send_due_follow_ups(now=T0 + timedelta(minutes=10))) == 1
    send_everything_queued(twilio, T0 + timedelta(minutes=10))
    later = T0 + timedelta(hours=5)
    prospect_texts(phone, "Sam", later)
    send_everything_queued(twilio, later)
    plan = FollowUp.objects.get(contact__phone=phone)
    reply = Message.objects.filter(contact__phone=phone, direction="outbound").order_by("-id").first()
    assert plan.step == 0 and plan.anchor_at == reply.created_at
    assert plan.due_at == reply.created_at + timedelta(minutes=10)
    # The schedule starts over from the new question: 10 minutes after it comes its first nudge, not the second.
    assert send_due_follow_ups(now=later + timedelta(minutes=9)) == []
    [nudge_id] = send_due_follow_ups(now=later + timedelta(minutes=10))
    assert "just checking you got my last text" in Message.objects.get(pk=nudge_id).body
    plan.refresh_from_db()
    assert plan.step == 1 and plan.due_at == reply.created_at + timedelta(days=1)


def test_a_reply_that_arrives_before_its_turn_runs_clears_the_due_nudge(twilio):
    phone = "+12125550163"
    prospect_texts(phone, "hi, we want to buy a house", T0)
    send_everything_queued(twilio, T0)
    receive_sms(from_number=phone, body="one sec", message_sid=next(SIDS))  # the turn has not run yet
    assert send_due_follow_ups(now=T0 + timedelta(minutes=30)) == []


@pytest.mark.parametrize("text, reason", [
    ("STOP", "opted out"),
    ("please stop texting me", "opted out"),
    ("not interested", "not interested"),
    ("wrong number", "wrong number"),
    ("can I talk to a person", "handed to an agent: asked for a person"),
])
def test_follow_ups_stop_for_good(twilio, text, reason):
    phone = "+12125550164"
    prospect_texts(phone, "hi, we want to buy a house", T0)
    send_everything_queued(twilio, T0)
    prospect_texts(phone, text, T0 + timedelta(minutes=2))
    plan = FollowUp.objects.get(contact__phone=phone)
    assert (plan.status, plan.stop_reason, plan.due_at) == (FollowUpStatus.STOPPED, reason, None)
    follow_up_start(contact=plan.contact, anchor_at=T0 + timedelta(minutes=3))  # a later question: still stopped
    assert send_due_follow_ups(now=T0 + timedelta(days=30)) == []


def test_an_agent_taking_over_stops_follow_ups_and_a_pause_holds_them(twilio):
    prospect_texts("+12125550165", "hi, we want to buy a house", T0)
    prospect_texts("+12125550166", "hi, we want to sell my house", T0)
    send_everything_queued(twilio, T0)
    taken, paused = Contact.objects.get(phone="+12125550165"), Contact.objects.get(phone="+12125550166")
    contact_take_over(contact=taken)
    follow_up_pause(contact=paused, paused=True)
    assert send_due_follow_ups(now=T0 + timedelta(hours=1)) == []
    assert taken.follow_up.__class__.objects.get(contact=taken).stop_reason == "taken over by an agent"
    follow_up_pause(contact=paused, paused=False)
    assert len(send_due_follow_ups(now=T0 + timedelta(hours=1))) == 1


def test_a_nudge_waits_for_our_question_held_back_by_quiet_hours(twilio):
    night = datetime(2026, 11, 3, 4, 0, tzinfo=dt_timezone.utc)  # 11pm in New York
    prospect_texts("+12125550167", "hi, we want to buy a house", night)
    send_everything_queued(twilio, night)  # deferred until 8am
    assert send_due_follow_ups(now=night + timedelta(minutes=10)) == []
    plan = FollowUp.objects.get(contact__phone="+12125550167")
    question = Message.objects.get(contact__phone="+12125550167", direction="outbound")
    assert question.status == DeliveryStatus.DEFERRED and plan.due_at == question.send_after + timedelta(minutes=10)


def _contacts_due(count: int) -> list[Contact]:
    contacts = []
    for number in range(count):
        contact = ContactFactory(phone=f"+1212555{1000 + number:04d}", language="en")
        consent_record(contact=contact, method=ConsentMethod.AGENT_NOTE, note="agreed on the phone")
        follow_up_start(contact=contact, anchor_at=T0)
        contacts.append(contact)
    return contacts


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_send_each_follow_up_once():
    contacts = _contacts_due(12)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=10)
            results.append(send_due_follow_ups(now=T0 + timedelta(minutes=15)))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    queued = [message_id for result in results for message_id in result]
    assert len(queued) == len(set(queued)) == len(contacts)
    for contact in contacts:
        assert Message.objects.filter(contact=contact, purpose=MessagePurpose.NUDGE).count() == 1
        assert FollowUp.objects.get(contact=contact).step == 1


@pytest.mark.django_db(transaction=True)
def test_a_worker_skips_a_follow_up_another_worker_holds():
    [contact] = _contacts_due(1)
    taken, release = threading.Event(), threading.Event()
    from django.db import transaction

    def holder():
        try:
            with transaction.atomic():
                FollowUp.objects.select_for_update().get(contact=contact)
                taken.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    thread = threading.Thread(target=holder)
    thread.start()
    assert taken.wait(timeout=10)
    try:
        assert send_due_follow_ups(now=T0 + timedelta(minutes=15)) == []  # skipped, not waited for
    finally:
        release.set()
        thread.join(timeout=10)
    assert len(send_due_follow_ups(now=T0 + timedelta(minutes=15))) == 1
