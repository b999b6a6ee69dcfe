"""Hours and caps by state for texts that are not replies (leads/data/texting_policy.toml): Florida, Oklahoma and
Maryland 8am-8pm and at most 3 in 24 hours, Washington 8am-8pm, elsewhere 8am-9pm; the most restrictive state of an
area code that spans several; replies keep the ordinary quiet hours and no cap. Twilio faked at the HTTP layer."""

from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import pytest

from leads.models import Author, ConsentMethod, DeliveryStatus, MessagePurpose
from leads.services import consent_record
from leads.texting_policy import TextingPolicy, policy_for_phone, states_for_phone
from sms import outbound
from sms.services import outbound_queue
from tests.support.factories import ContactFactory
from tests.support.twilio import twilio_created

pytestmark = pytest.mark.django_db

SIDS = iter(f"SM{n:032x}" for n in range(30_000, 40_000))


@pytest.mark.parametrize("phone, states, hours, cap", [
    ("+13055550100", ("FL",), (8, 20), 3),      # Miami
    ("+18505550100", ("FL",), (8, 20), 3),      # Pensacola: Central and Eastern time, one state
    ("+14055550100", ("OK",), (8, 20), 3),      # Oklahoma City
    ("+12065550100", ("WA",), (8, 20), None),   # Seattle
    ("+14105550100", ("MD",), (8, 20), 3),      # Baltimore
    ("+14155550100", ("CA",), (8, 21), None),   # San Francisco: the default
    ("+12015550100", ("NJ", "NY"), (8, 21), None),  # 201 has exchanges in two states
    ("+14165550100", (), (8, 21), None),        # Toronto: not a US state
    ("+442079460195", (), (8, 21), None),
])
def test_the_policy_comes_from_the_area_codes_state(phone, states, hours, cap):
    policy = policy_for_phone(phone)
    assert states_for_phone(phone) == states and policy.hours == hours and policy.max_per_24_hours == cap


def test_no_state_policy_is_wider_than_the_operators_sending_hours(settings):
    settings.SMS_SEND_FROM_HOUR, settings.SMS_SEND_UNTIL_HOUR = 9, 19
    assert policy_for_phone("+14155550100").hours == (9, 19)   # the default state: the operator's window
    assert policy_for_phone("+13055550100").hours == (9, 19)   # Florida's 8-20 narrowed too
    assert policy_for_phone("+13055550100").max_per_24_hours == 3


def test_an_ambiguous_area_gets_the_most_restrictive_of_its_states():
    florida, washington, default = TextingPolicy(8, 20, 3, ("FL",)), TextingPolicy(9, 20, None, ("WA",)), \
        TextingPolicy(8, 21)
    combined = default.stricter(washington).stricter(florida)
    assert (combined.from_hour, combined.until_hour, combined.max_per_24_hours, combined.states) == (9, 20, 3, ("FL", "WA"))


def consented(phone):
    contact = ContactFactory(phone=phone)
    consent_record(contact=contact, method=ConsentMethod.WEB_FORM, wording="I agree to texts")
    return contact


def nudge(contact):
    return outbound_queue(contact=contact, body="Just checking in!", author=Author.BOT, purpose=MessagePurpose.NUDGE)


# 8:30 pm in Miami and Baltimore (Eastern), 7:30 pm in Oklahoma City (Central), 5:30 pm in Seattle and San Francisco
EVENING = datetime(2026, 11, 27, 1, 30, tzinfo=dt_timezone.utc)


@pytest.mark.parametrize("phone, held_back", [
    ("+13055550101", True), ("+14105550101", True), ("+14055550101", False), ("+12065550101", False),
    ("+12125550101", False),  # 8:30 pm in New York: the default allows until 9 pm
])
def test_a_nudge_keeps_its_states_hours(twilio, phone, held_back):
    contact = consented(phone)
    twilio.add(twilio_created(sid=next(SIDS)))
    outcome = outbound.send(nudge(contact).pk, now=EVENING)
    assert (outcome.status == DeliveryStatus.DEFERRED) == held_back
    if held_back:
        assert outcome.send_after.hour == 8


def test_a_reply_at_the_same_hour_in_florida_goes_out(twilio):
    contact = ContactFactory(phone="+13055550102")
    twilio.add(twilio_created(sid=next(SIDS)))
    reply = outbound_queue(contact=contact, body="Thanks!", author=Author.BOT)
    assert outbound.send(reply.pk, now=EVENING).status == "queued"


def test_florida_gets_at_most_three_texts_that_are_not_replies_in_24_hours(twilio):
    contact = consented("+13055550103")
    start = datetime(2026, 11, 26, 14, 0, tzinfo=dt_timezone.utc)  # 9am Miami
    for hour in range(3):
        twilio.add(twilio_created(sid=next(SIDS)))
        assert outbound.send(nudge(contact).pk, now=start + timedelta(hours=hour)).status == "queued"
    fourth = outbound.send(nudge(contact).pk, now=start + timedelta(hours=4))
    assert fourth.status == DeliveryStatus.DEFERRED and fourth.send_after == start + timedelta(hours=24)
    reply = outbound_queue(contact=contact, body="Sure, happy to help!", author=Author.AGENT)
    twilio.add(twilio_created(sid=next(SIDS)))
    assert outbound.send(reply.pk, now=start + timedelta(hours=4)).status == "queued"  # replies are not capped
    # Past the cap's window but at night (8:30 pm Miami): held back to the morning after, by the hours.
    late = outbound.send(nudge(contact).pk, now=start + timedelta(hours=35, minutes=30))
    assert late.status == DeliveryStatus.DEFERRED and late.send_after.hour == 8


def test_washington_has_no_count_limit(twilio):
    contact = consented("+12065550103")
    start = datetime(2026, 11, 26, 18, 0, tzinfo=dt_timezone.utc)  # 10am Seattle
    for minute in range(5):
        twilio.add(twilio_created(sid=next(SIDS)))
        assert outbound.send(nudge(contact).pk, now=start + timedelta(minutes=minute)).status == "queued"
