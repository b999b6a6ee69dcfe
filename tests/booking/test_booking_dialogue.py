"""Booking in the conversation through the real turn (rule-based provider, real cache, real database): a ready
lead's handoff offers the agent's times; the prospect picks one in words, turns them down, names another, and
later moves or cancels by text. Without an agent profile the handoff is exactly what it was."""

import itertools
from datetime import datetime, timedelta
from datetime import timezone as utc_zone

import pytest
import time_machine

from booking.models import Appointment, AppointmentKind, AppointmentStatus, OfferStatus, SlotOffer
from bots.services import run_turn
from caching.services import LLMCache
from leads.models import Author, Contact
from leads.services import contact_take_over
from sms.inbound import receive_sms

pytestmark = pytest.mark.django_db

MONDAY_8AM_CHICAGO = datetime(2026, 12, 7, 14, 0, tzinfo=utc_zone.utc)
READY_BUYER = ["we want to buy a house", "Sam", "pre-approved for 450k", "moving in 2 months"]
SIDS = (f"SM{n:032d}" for n in itertools.count(1))
OFFER_LA = ("Thanks, Sam! Dana on our team can meet you for a showing: Mon Dec 7 at 8:00 am, Mon Dec 7 at 11:00 am "
            "or Mon Dec 7 at 2:00 pm (PST). Which works best?")


@pytest.fixture(autouse=True)
def offline(settings):
    settings.ANTHROPIC_API_KEY = ""


def text(phone, body, at=MONDAY_8AM_CHICAGO):
    with time_machine.travel(at, tick=False):
        received = receive_sms(from_number=phone, body=body, message_sid=next(SIDS))
        return run_turn(received.message.pk, cache=LLMCache())


def conversation(phone, bodies, at=MONDAY_8AM_CHICAGO):
    """The texts a minute apart, the last one at `at`."""
    start = at - timedelta(minutes=len(bodies) - 1)
    return [text(phone, body, start + timedelta(minutes=n)) for n, body in enumerate(bodies)]


def test_a_ready_buyer_is_offered_times_and_picks_the_second(chicago_agent):
    phone = "+13105550170"  # Los Angeles
    *_, handoff = conversation(phone, READY_BUYER)
    assert handoff.handoff_reason == "hot lead" and handoff.reply.author == Author.HANDOFF
    assert handoff.reply.body == OFFER_LA
    contact = Contact.objects.get(phone=phone)
    assert contact.needs_agent and contact.bot_paused  # the handoff happened: agents are alerted as before
    offer = SlotOffer.objects.get(contact=contact)
    assert offer.status == OfferStatus.OPEN and offer.message == handoff.reply and len(offer.starts) == 3

    booked = text(phone, "the second one", MONDAY_8AM_CHICAGO + timedelta(minutes=10))
    appointment = Appointment.objects.get(contact=contact)
    assert appointment.starts_at == datetime(2026, 12, 7, 19, 0, tzinfo=utc_zone.utc)  # 11 am in Los Angeles
    assert appointment.agent == chicago_agent.user and appointment.kind == AppointmentKind.SHOWING
    assert appointment.source_message.body == "the second one"
    assert booked.reply.body == ("You're booked: showing with Dana on Mon Dec 7 at 11:00 am (PST). We'll text you a "
                                 "reminder. To change it, just text us here.")
    offer.refresh_from_db()
    assert offer.status == OfferStatus.TAKEN
    contact.refresh_from_db()
    assert contact.bot_paused  # booked: the bot stays paused for the agent, as after any handoff
    # Anything else now is the agent's to answer.
    assert text(phone, "what's the hoa on the townhome?", MONDAY_8AM_CHICAGO + timedelta(minutes=11)).reply is None


def test_none_of_those_then_other_times_then_left_to_the_agent(chicago_agent):
    phone = "+13105550171"
    *_, handoff = conversation(phone, READY_BUYER)
    first = SlotOffer.objects.get(contact__phone=phone).starts
    again = text(phone, "none of those work", MONDAY_8AM_CHICAGO + timedelta(minutes=10))
    assert again.reply.body.startswith("No problem. How about Mon Dec 7 at ")
    second = SlotOffer.objects.get(contact__phone=phone, status=OfferStatus.OPEN)
    assert second.round == 2 and not set(second.starts) & set(first)
    left = text(phone, "nope, neither", MONDAY_8AM_CHICAGO + timedelta(minutes=11))
    assert left.reply.body == "No problem, Dana will reach out to find a time that works for you."
    assert not SlotOffer.objects.filter(contact__phone=phone, status=OfferStatus.OPEN).exists()
    assert not Appointment.objects.exists()


def test_a_free_time_named_but_not_offered_is_booked(chicago_agent):
    phone = "+13105550172"
    conversation(phone, READY_BUYER)
    booked = text(phone, "could we do tuesday at 1pm?", MONDAY_8AM_CHICAGO + timedelta(minutes=10))
    appointment = Appointment.objects.get(contact__phone=phone)
    assert appointment.starts_at == datetime(2026, 12, 8, 21, 0, tzinfo=utc_zone.utc)  # Tue 1 pm Los Angeles
    assert "Tue Dec 8 at 1:00 pm (PST)" in booked.reply.body


def test_a_day_named_gets_that_days_times(chicago_agent):
    phone = "+13105550173"
    conversation(phone, READY_BUYER)
    reply = text(phone, "wednesday would be better", MONDAY_8AM_CHICAGO + timedelta(minutes=10)).reply
    assert reply.body == ("No problem. How about Wed Dec 9 at 8:00 am, Wed Dec 9 at 11:00 am or Wed Dec 9 at 2:00 pm "
                          "(PST)?")
    text(phone, "11 works", MONDAY_8AM_CHICAGO + timedelta(minutes=11))
    assert Appointment.objects.get(contact__phone=phone).starts_at == datetime(2026, 12, 9, 19, 0, tzinfo=utc_zone.utc)


def test_a_time_taken_since_it_was_offered_is_not_double_booked(chicago_agent):
    phone = "+13105550174"
    conversation(phone, READY_BUYER)
    other, _ = Contact.objects.get_or_create(phone="+13125550175", defaults={"lead_type": "buyer"})
    taken = datetime(2026, 12, 7, 19, 0, tzinfo=utc_zone.utc)
    Appointment.objects.create(contact=other, agent=chicago_agent.user, starts_at=taken,
                               ends_at=taken + timedelta(hours=1), kind=AppointmentKind.SHOWING, uid="other@test")
    reply = text(phone, "the second one", MONDAY_8AM_CHICAGO + timedelta(minutes=10)).reply
    assert reply.body.startswith("Sorry, Dana isn't free then. How about ")
    assert not Appointment.objects.filter(contact__phone=phone).exists()


def test_move_and_cancel_by_text(chicago_agent):
    phone = "+13105550176"
    conversation(phone, READY_BUYER)
    text(phone, "1", MONDAY_8AM_CHICAGO + timedelta(minutes=10))
    first = Appointment.objects.get(contact__phone=phone)
    assert first.starts_at == datetime(2026, 12, 7, 16, 0, tzinfo=utc_zone.utc)  # Mon 8 am Los Angeles
    later = MONDAY_8AM_CHICAGO + timedelta(minutes=20)
    offer = text(phone, "can we do thursday instead", later).reply
    assert offer.body == ("Sure. Dana can do Thu Dec 10 at 8:00 am, Thu Dec 10 at 11:00 am or Thu Dec 10 at 2:00 pm "
                          "(PST). Which works?")
    moved = text(phone, "the last one", later + timedelta(minutes=1)).reply
    assert moved.body == "Done, your showing with Dana is now Thu Dec 10 at 2:00 pm (PST)."
    first.refresh_from_db()
    new = first.moved_to
    assert first.status == AppointmentStatus.MOVED and new.status == AppointmentStatus.BOOKED
    assert new.uid == first.uid and new.sequence == first.sequence + 1
    assert new.starts_at == datetime(2026, 12, 10, 22, 0, tzinfo=utc_zone.utc)
    cancelled = text(phone, "something came up, need to cancel", later + timedelta(minutes=2)).reply
    assert cancelled.body == ("Done, your showing on Thu Dec 10 at 2:00 pm is cancelled. Dana will reach out if "
                              "you'd like another time.")
    new.refresh_from_db()
    assert new.status == AppointmentStatus.CANCELLED
    # Nothing is booked now: another "cancel" is not booking's to answer (the agent has the conversation).
    assert text(phone, "cancel", later + timedelta(minutes=3)).reply is None


def test_a_move_to_a_named_free_time_is_made_at_once(chicago_agent):
    phone = "+13105550177"
    conversation(phone, READY_BUYER)
    text(phone, "the first one", MONDAY_8AM_CHICAGO + timedelta(minutes=10))
    reply = text(phone, "can we move it to friday at 10am?", MONDAY_8AM_CHICAGO + timedelta(minutes=20)).reply
    assert reply.body == "Done, your showing with Dana is now Fri Dec 11 at 10:00 am (PST)."


def test_in_spanish(chicago_agent):
    phone = "+13105550178"
    conversation(phone, READY_BUYER[:1], MONDAY_8AM_CHICAGO - timedelta(minutes=5))
    contact = Contact.objects.get(phone=phone)
    contact.language = "es"
    contact.save()
    *_, handoff = conversation(phone, ["Me llamo Ana", "ya tenemos pre-aprobación por 450 mil", "en 2 meses"])
    assert handoff.reply.body.startswith("¡Gracias, Ana! Dana de nuestro equipo puede reunirse con usted para una "
                                         "visita: lun 7 de dic a las 8:00 am, ")
    booked = text(phone, "el lunes a las 11", MONDAY_8AM_CHICAGO + timedelta(minutes=20)).reply
    assert booked.body.startswith("Listo: visita con Dana el lun 7 de dic a las 11:00 am (PST).")


def test_an_agent_who_takes_over_ends_the_offer(chicago_agent):
    phone = "+13105550179"
    conversation(phone, READY_BUYER)
    contact_take_over(contact=Contact.objects.get(phone=phone), agent=chicago_agent.user)
    assert text(phone, "the second one", MONDAY_8AM_CHICAGO + timedelta(minutes=10)).reply is None
    assert not Appointment.objects.exists()


def test_a_seller_books_a_listing_appointment(chicago_agent):
    phone = "+13125550180"  # Chicago
    results = conversation(phone, ["thinking about selling my place", "my name is Priya", "it's 1204 maple ridge dr",
                                   "we'd like to sell within 30 days", "relocating for a new job",
                                   "hoping to get around 525k", "it's in great shape"])
    handoff, = [result for result in results if result.handoff_reason]
    assert "listing appointment" in handoff.reply.body
    text(phone, "the first one", MONDAY_8AM_CHICAGO + timedelta(minutes=30))
    appointment = Appointment.objects.get(contact__phone=phone)
    assert appointment.kind == AppointmentKind.LISTING and appointment.location == "1204 maple ridge dr"


def test_a_question_about_a_listing_offers_a_showing_with_the_agent_who_answers_it(chicago_agent):
    phone = "+13105550184"
    asked, = conversation(phone, ["hi is the house on 5th st still available?"])
    assert asked.handoff_reason == "asked about a specific listing"
    assert asked.reply.body.startswith("Thanks! Dana on our team can answer that and show you the home: Mon Dec 7 at ")
    text(phone, "the first one works", MONDAY_8AM_CHICAGO + timedelta(minutes=5))
    assert Appointment.objects.get(contact__phone=phone).kind == AppointmentKind.SHOWING


def test_a_question_about_a_listing_in_spanish(chicago_agent):
    asked, = conversation("+13105550185", ["hola, todavía está a la venta la casa de la calle Main?"])
    assert asked.handoff_reason == "asked about a specific listing"
    assert asked.reply.body.startswith("¡Gracias! Dana de nuestro equipo puede responderle y mostrarle la casa: ")


def test_without_an_agent_profile_a_listing_question_is_answered_about_that_home():
    asked, = conversation("+13105550186", ["is the condo on elm still for sale"])
    assert asked.reply.body == "Thanks! One of our agents will get back to you about that home shortly."


def test_without_an_agent_profile_the_handoff_is_as_it_was():
    phone = "+13105550181"
    *_, handoff = conversation(phone, READY_BUYER)
    assert handoff.handoff_reason == "hot lead"
    assert handoff.reply.body == "Thanks, Sam! One of our agents will reach out to you shortly."
    assert not SlotOffer.objects.exists()
    assert text(phone, "the second one", MONDAY_8AM_CHICAGO + timedelta(minutes=10)).reply is None


def test_with_claude_the_offer_is_written_in_code_and_the_answer_read_offline(chicago_agent):
    # Claude faked at the HTTP layer (the real SDK runs): it classifies and extracts as usual, but no model writes
    # the offer (its times and dates come from the agent's calendar) or reads which time was picked.
    from tests.bots.test_turns import BUYER_SCRIPT
    from tests.support.fake_claude import FakeClaude, claude_provider

    fake = FakeClaude(dict(BUYER_SCRIPT + [("the second one", ("other", {}))]))
    provider = claude_provider(fake)
    phone = "+13105550182"
    results, asked = [], []
    for minute, (body, *_meaning) in enumerate(BUYER_SCRIPT[:5] + [("the second one",)]):
        at = MONDAY_8AM_CHICAGO - timedelta(minutes=4) + timedelta(minutes=minute)
        before = len(fake.answered)
        with time_machine.travel(at, tick=False):
            received = receive_sms(from_number=phone, body=body, message_sid=next(SIDS))
            results.append(run_turn(received.message.pk, provider=provider, cache=LLMCache()))
        asked.append(fake.answered[before:])
    handoff, picked = results[4], results[5]
    assert handoff.handoff_reason == "hot lead"
    assert handoff.reply.body == OFFER_LA.replace("Sam", "Jordan")
    assert "intent" in asked[4] and "response" not in asked[4] and "state_reply" not in asked[4]
    assert picked.reply.body.startswith("You're booked: showing with Dana on Mon Dec 7 at 11:00 am (PST).")


def test_the_answer_to_the_offer_sets_no_fact(chicago_agent):
    # The areas question was never reached (the lead turned hot first), so a late answer to it would be read from
    # any place-like phrase: the pick must not become an area called "Second One Works".
    phone = "+13105550179"
    conversation(phone, READY_BUYER)
    before = Contact.objects.get(phone=phone).facts
    booked = text(phone, "the second one works", MONDAY_8AM_CHICAGO + timedelta(minutes=10))
    assert booked.reply.body.startswith("You're booked")
    contact = Contact.objects.get(phone=phone)
    assert contact.facts == before and "areas" not in contact.facts
