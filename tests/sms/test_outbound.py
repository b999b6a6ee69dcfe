"""The outbound service: quiet hours in the recipient's zone, deferred and rescheduled sends, Twilio's errors, opted-out
and paused contacts, superseded replies, and the status callbacks that move a text's delivery status forward.

Twilio's REST API is faked at the HTTP layer (the `twilio` fixture, tests/support/twilio.py); callbacks are signed
with the real twilio RequestValidator (tests/support/webhooks.py)."""

from datetime import datetime
from datetime import timezone as dt_timezone
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine

from leads.models import Author, Contact, DeliveryStatus, Direction, Keyword, Message
from leads.services import message_record_inbound
from sms import outbound
from tests.support.factories import ContactFactory
from tests.support.twilio import ACCOUNT, twilio_created, twilio_error
from tests.support.webhooks import inbound_params, signed_post

pytestmark = pytest.mark.django_db

DAYTIME_UTC = datetime(2026, 11, 26, 18, 0, tzinfo=dt_timezone.utc)  # 1pm New York, 10am Los Angeles


@pytest.mark.parametrize(
    "phone, utc, allowed_now, next_local",
    [
        ("+12125550193", datetime(2026, 11, 26, 3, 0, tzinfo=dt_timezone.utc), False, datetime(2026, 11, 26, 8, 0)),
        ("+14155550194", datetime(2026, 11, 26, 3, 0, tzinfo=dt_timezone.utc), True, None),      # 7pm in LA
        ("+14155550194", datetime(2026, 11, 26, 5, 30, tzinfo=dt_timezone.utc), False, datetime(2026, 11, 26, 8, 0)),
        ("+442079460195", datetime(2026, 11, 26, 7, 59, tzinfo=dt_timezone.utc), False, datetime(2026, 11, 26, 8, 0)),
        ("+442079460195", datetime(2026, 11, 26, 21, 0, tzinfo=dt_timezone.utc), False, datetime(2026, 11, 27, 8, 0)),
        ("+12125550193", DAYTIME_UTC, True, None),
    ],
)
def test_quiet_hours_follow_the_recipients_time_zone(phone, utc, allowed_now, next_local):
    contact = ContactFactory(phone=phone)
    later = outbound.next_allowed_time(contact, utc)
    assert (later is None) == allowed_now
    if later is not None:
        assert later.replace(tzinfo=None) == next_local and later.tzinfo == ZoneInfo(contact.time_zone)


def queued_reply(contact, body="Thanks! What price range are you shopping in?", author=Author.BOT):
    inbound, _ = message_record_inbound(contact=contact, body="hi", twilio_sid=None)
    return Message.objects.create(conversation=inbound.conversation, contact=contact, direction=Direction.OUTBOUND,
                                  body=body, status=DeliveryStatus.QUEUED, reply_to=inbound, author=author)


def test_quiet_hours_defer_instead_of_dropping(twilio):
    contact = ContactFactory(phone="+12125550196")
    reply = queued_reply(contact)
    night = datetime(2026, 11, 26, 4, 0, tzinfo=dt_timezone.utc)  # 11pm in New York
    outcome = outbound.send(reply.pk, now=night)
    assert outcome.status == DeliveryStatus.DEFERRED and outcome.send_after.hour == 8
    assert len(twilio.calls) == 0
    twilio.add(twilio_created())
    assert outbound.send(reply.pk, now=DAYTIME_UTC).status == "queued"
    reply.refresh_from_db()
    assert reply.twilio_sid == "SM" + "a" * 32 and len(twilio.calls) == 1


def test_a_text_deleted_after_its_task_was_queued_is_not_sent_and_not_retried(twilio):
    contact = ContactFactory(phone="+12125550197")
    reply = queued_reply(contact)
    contact.delete()  # an agent erased the contact while the send task waited in the queue
    from sms.tasks import send_outbound_message

    assert send_outbound_message.apply((reply.pk,)).get() == outbound.MISSING
    assert len(twilio.calls) == 0


def test_twilio_5xx_then_success_sends_exactly_once(twilio):
    contact = ContactFactory(phone="+12125550197")
    reply = queued_reply(contact)
    twilio.add(twilio_error(503, 20503, "Service unavailable"))
    twilio.add(twilio_created(sid="SM" + "b" * 32))
    with pytest.raises(outbound.TransientSendError):
        outbound.send(reply.pk, now=DAYTIME_UTC)
    reply.refresh_from_db()
    assert reply.status == DeliveryStatus.QUEUED and not reply.twilio_sid
    outbound.send(reply.pk, now=DAYTIME_UTC)
    outbound.send(reply.pk, now=DAYTIME_UTC)  # a duplicate task run sends nothing
    reply.refresh_from_db()
    assert reply.twilio_sid == "SM" + "b" * 32 and len(twilio.calls) == 2
    sent = twilio.calls[1].request
    form = dict(pair.split("=", 1) for pair in sent.body.split("&"))
    assert form["StatusCallback"] == "http%3A%2F%2Flocalhost%3A8000%2Fsms%2Fstatus"
    assert form["To"] == "%2B12125550197"


def test_twilio_21610_marks_the_contact_opted_out(twilio):
    contact = ContactFactory(phone="+12125550198")
    reply = queued_reply(contact)
    twilio.add(twilio_error(400, 21610, "Attempt to send to unsubscribed recipient"))
    assert outbound.send(reply.pk, now=DAYTIME_UTC).status == DeliveryStatus.FAILED
    contact.refresh_from_db()
    reply.refresh_from_db()
    assert contact.opted_out and reply.error_code == "21610"


def test_opted_out_and_paused_contacts_are_not_texted_by_the_bot(twilio):
    twilio.add(twilio_created(sid="SM" + "c" * 32))
    contact = ContactFactory(phone="+12125550199")
    Contact.objects.filter(pk=contact.pk).update(bot_paused=True)
    bot_text = queued_reply(contact)
    assert outbound.send(bot_text.pk, now=DAYTIME_UTC).status == DeliveryStatus.SUPPRESSED
    agent_text = queued_reply(contact, body="Hi, this is Dana from the team", author=Author.AGENT)
    assert outbound.send(agent_text.pk, now=DAYTIME_UTC).status == "queued"  # an agent may text a paused lead
    Contact.objects.filter(pk=contact.pk).update(opted_out=True)
    agent_again = queued_reply(contact, body="Following up", author=Author.AGENT)
    assert outbound.send(agent_again.pk, now=DAYTIME_UTC).status == DeliveryStatus.SUPPRESSED
    assert len(twilio.calls) == 1
    # Why each was suppressed stays on the row (the transcript says it).
    bot_text.refresh_from_db()
    agent_again.refresh_from_db()
    assert (bot_text.error_code, agent_again.error_code) == (outbound.Refusal.BOT_PAUSED, outbound.Refusal.OPTED_OUT)


@pytest.mark.parametrize("order", [["sent", "delivered"], ["delivered", "sent"], ["sending", "delivered", "sent", "queued"]])
def test_status_callbacks_only_move_forward(client, order):
    contact = ContactFactory(phone="+12125550200")
    reply = queued_reply(contact)
    Message.objects.filter(pk=reply.pk).update(twilio_sid="SM" + "d" * 32, status=DeliveryStatus.QUEUED)
    for status in order:
        response = signed_post(client, "/sms/status", {"MessageSid": "SM" + "d" * 32, "MessageStatus": status,
                                                       "AccountSid": ACCOUNT})
        assert response.status_code == 204
    reply.refresh_from_db()
    assert reply.status == DeliveryStatus.DELIVERED


def test_status_callbacks_need_a_signature_and_21610_opts_out(client):
    contact = ContactFactory(phone="+12125550201")
    reply = queued_reply(contact)
    Message.objects.filter(pk=reply.pk).update(twilio_sid="SM" + "e" * 32, status=DeliveryStatus.SENT)
    params = {"MessageSid": "SM" + "e" * 32, "MessageStatus": "undelivered", "ErrorCode": "21610"}
    assert client.post("/sms/status", data=params).status_code == 403
    assert signed_post(client, "/sms/status", params).status_code == 204
    contact.refresh_from_db()
    assert contact.opted_out


NIGHT_UTC = datetime(2026, 11, 26, 4, 0, tzinfo=dt_timezone.utc)  # 11pm in New York
MORNING_UTC = datetime(2026, 11, 26, 13, 0, tzinfo=dt_timezone.utc)  # 8am in New York


@pytest.fixture
def eager_tasks():
    from config.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def test_a_deferred_send_run_eagerly_is_not_rescheduled(twilio, eager_tasks):
    from sms import tasks

    reply = queued_reply(ContactFactory(phone="+12125550230"))
    with mock.patch.object(tasks, "send", wraps=tasks.send) as sends, time_machine.travel(NIGHT_UTC, tick=False):
        # An eager task ignores its ETA: queued again, it would run at once, be deferred again, and recurse.
        assert tasks.send_outbound_message.delay(reply.pk).get() == DeliveryStatus.DEFERRED
    assert sends.call_count == 1 and len(twilio.calls) == 0
    reply.refresh_from_db()
    assert reply.status == DeliveryStatus.DEFERRED and reply.send_after == MORNING_UTC
    twilio.add(twilio_created(sid="SM" + "8" * 32))
    with time_machine.travel(MORNING_UTC, tick=False):  # the eager caller runs it again when it is due
        assert tasks.send_outbound_message.apply(args=[reply.pk]).get() == "queued"
    reply.refresh_from_db()
    assert reply.twilio_sid == "SM" + "8" * 32 and len(twilio.calls) == 1


def test_a_deferred_send_on_a_worker_reschedules_itself_for_the_morning(twilio):
    from sms import tasks

    reply = queued_reply(ContactFactory(phone="+12125550231"))
    with mock.patch.object(tasks.send_outbound_message, "apply_async") as requeue, \
            time_machine.travel(NIGHT_UTC, tick=False):
        assert tasks.send_outbound_message(reply.pk) == DeliveryStatus.DEFERRED  # as a worker runs it: not eager
        requeue.assert_called_once_with((reply.pk,), eta=MORNING_UTC)
        requeue.reset_mock()
        # The caller may decide either way.
        tasks.send_outbound_message.apply(args=[reply.pk], kwargs={"reschedule": True})
        requeue.assert_called_once_with((reply.pk,), eta=MORNING_UTC)
        requeue.reset_mock()
        tasks.send_outbound_message(reply.pk, reschedule=False)
        requeue.assert_not_called()
    assert len(twilio.calls) == 0


def outbound_rows(contact):
    return list(Message.objects.filter(contact=contact, direction=Direction.OUTBOUND).order_by("id"))


def test_three_texts_overnight_get_one_reply_at_8am(client, twilio, settings, eager_tasks,
                                                    django_capture_on_commit_callbacks):
    from sms.tasks import send_outbound_message

    settings.ANTHROPIC_API_KEY = ""
    texts = ["hi", "we want to buy a house", "my name is Sam"]
    for minutes, (index, body) in zip((0, 10, 20), enumerate(texts)):
        at = NIGHT_UTC.replace(minute=minutes)  # 11:00, 11:10, 11:20 pm in New York
        with time_machine.travel(at, tick=False), django_capture_on_commit_callbacks(execute=True):
            response = signed_post(client, "/sms/inbound", inbound_params(body=body, sender="+12125550232",
                                                                          sid=f"SM{index:032d}"))
        assert response.status_code == 200
    contact = Contact.objects.get(phone="+12125550232")
    replies = outbound_rows(contact)
    assert [reply.author for reply in replies] == [Author.BOT] * 3
    assert [reply.status for reply in replies] == [DeliveryStatus.SUPERSEDED, DeliveryStatus.SUPERSEDED,
                                                   DeliveryStatus.DEFERRED]
    assert replies[2].send_after == MORNING_UTC and len(twilio.calls) == 0

    # 8 am: every deferred task fires (their ETAs); only the newest reply goes out.
    twilio.add(twilio_created(sid="SM" + "9" * 32))
    with time_machine.travel(MORNING_UTC, tick=False):
        outcomes = [send_outbound_message.apply(args=[reply.pk]).get() for reply in replies]
    assert outcomes == [DeliveryStatus.SUPERSEDED, DeliveryStatus.SUPERSEDED, "queued"]
    assert len(twilio.calls) == 1 and "%2B12125550232" in twilio.calls[0].request.body
    # A superseded row's task running later (a redelivery, a late ETA) sends nothing.
    with time_machine.travel(MORNING_UTC.replace(hour=15), tick=False):
        assert send_outbound_message.apply(args=[replies[0].pk]).get() == DeliveryStatus.SUPERSEDED
    assert len(twilio.calls) == 1
    assert [reply.status for reply in outbound_rows(contact)] == [DeliveryStatus.SUPERSEDED, DeliveryStatus.SUPERSEDED,
                                                                  "queued"]


def test_an_older_reply_whose_task_runs_late_is_superseded_not_deferred(twilio):
    contact = ContactFactory(phone="+12125550233")
    older, newer = queued_reply(contact), queued_reply(contact, body="And when are you hoping to move?")
    assert outbound.send(newer.pk, now=NIGHT_UTC).status == DeliveryStatus.DEFERRED
    assert outbound.send(older.pk, now=NIGHT_UTC).status == DeliveryStatus.SUPERSEDED  # its task ran second
    assert outbound.send(older.pk, now=MORNING_UTC).status == DeliveryStatus.SUPERSEDED
    assert len(twilio.calls) == 0


def test_a_handoff_supersedes_bot_replies_but_agents_and_system_texts_are_never_superseded(
        twilio, django_capture_on_commit_callbacks):
    from sms.services import outbound_queue

    contact = ContactFactory(phone="+12125550234")
    held = {author: queued_reply(contact, body=f"a {author} text", author=author)
            for author in (Author.BOT, Author.AGENT, Author.SYSTEM)}
    for message in held.values():
        assert outbound.send(message.pk, now=NIGHT_UTC).status == DeliveryStatus.DEFERRED
    # An agent's text queued at night supersedes nothing.
    with django_capture_on_commit_callbacks(execute=False):
        outbound_queue(contact=contact, body="Dana here, I'll call you in the morning", author=Author.AGENT)
    held_statuses = {m.author: m.status for m in outbound_rows(contact) if m.pk in {h.pk for h in held.values()}}
    assert held_statuses == {author: DeliveryStatus.DEFERRED for author in held}
    # A handoff (a bot reply) supersedes the deferred bot reply only.
    with django_capture_on_commit_callbacks(execute=False):
        handoff = outbound_queue(contact=contact, body="One of our agents will text you", author=Author.HANDOFF)
    statuses = {m.pk: m.status for m in outbound_rows(contact)}
    assert statuses[held[Author.BOT].pk] == DeliveryStatus.SUPERSEDED
    assert statuses[held[Author.AGENT].pk] == statuses[held[Author.SYSTEM].pk] == DeliveryStatus.DEFERRED
    assert statuses[handoff.pk] == DeliveryStatus.QUEUED
    # A deferred agent or system text is not superseded by the newer handoff either when its task runs again.
    assert outbound.send(held[Author.AGENT].pk, now=NIGHT_UTC).status == DeliveryStatus.DEFERRED
    assert outbound.send(held[Author.SYSTEM].pk, now=NIGHT_UTC).status == DeliveryStatus.DEFERRED
    assert len(twilio.calls) == 0


def test_every_outbound_status_has_a_rank_and_superseded_is_final():
    assert set(outbound.STATUS_RANK) == set(DeliveryStatus) - {DeliveryStatus.RECEIVED}
    assert outbound.STATUS_RANK[DeliveryStatus.SUPERSEDED] > outbound.STATUS_RANK[DeliveryStatus.DEFERRED]


@pytest.mark.parametrize("body,keyword", [("please stop texting me", Keyword.OPT_OUT), ("help!", Keyword.HELP)])
def test_the_answer_to_a_stop_or_help_goes_out_at_once_even_at_night(twilio, body, keyword):
    # An opt-out confirmation is lawful only within five minutes of the request; deferring it to 8am breaks that.
    contact = ContactFactory(phone="+12125550241")
    inbound, _ = message_record_inbound(contact=contact, body=body, twilio_sid=None)
    Message.objects.filter(pk=inbound.pk).update(keyword=keyword)
    answer = Message.objects.create(conversation=inbound.conversation, contact=contact, direction=Direction.OUTBOUND,
                                    body="You're unsubscribed.", status=DeliveryStatus.QUEUED, reply_to=inbound,
                                    author=Author.SYSTEM)
    if keyword == Keyword.OPT_OUT:
        Contact.objects.filter(pk=contact.pk).update(opted_out=True)
    twilio.add(twilio_created())
    assert outbound.send(answer.pk, now=NIGHT_UTC).status != DeliveryStatus.DEFERRED
    assert len(twilio.calls) == 1
    # A bot reply to the same contact at the same hour still waits for the morning.
    if keyword == Keyword.HELP:
        assert outbound.send(queued_reply(contact).pk, now=NIGHT_UTC).status == DeliveryStatus.DEFERRED
