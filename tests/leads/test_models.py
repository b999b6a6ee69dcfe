import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from leads.models import Contact, Message
from leads.services import contact_get_or_create, message_record_inbound
from tests.support.factories import ContactFactory, MessageFactory

pytestmark = pytest.mark.django_db


def test_phone_formats_collapse_to_one_contact():
    first, created = contact_get_or_create(phone="(415) 555-0142")
    again, created_again = contact_get_or_create(phone="+1 415.555.0142")
    assert created and not created_again
    assert first.pk == again.pk
    assert first.phone == "+14155550142"
    assert Contact.objects.count() == 1


def test_unique_phone_is_enforced_by_the_database_in_any_format():
    ContactFactory(phone="+14155550143")
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.create(phone="1-415-555-0143")


def test_time_zone_comes_from_the_number():
    assert ContactFactory(phone="+14155550144").time_zone == "America/Los_Angeles"
    assert ContactFactory(phone="+12125550145").time_zone == "America/New_York"
    assert ContactFactory(phone="+442079460000").time_zone == "Europe/London"


@pytest.mark.parametrize("raw, problem", [
    ("", "it does not read as a phone number"), ("not a number", "it does not read as a phone number"),
    ("+1 555", "it has too few digits"), ("12", "it has too few digits"),
    ("+99 123 4567", "it does not start with a known country code"), ("415555010012345678", "it has too many digits"),
    ("555 0100", "it has no area code"),
])
def test_invalid_phone_numbers_are_refused_in_plain_words(raw, problem):
    with pytest.raises(ValidationError) as refused:
        contact_get_or_create(phone=raw)
    message = refused.value.messages[0]
    # What is wrong and how to write it, not phonenumbers' internal "(1) The string supplied did not seem...".
    assert message == f"{raw!r} is not a phone number: {problem} (write it with the country and area code, e.g. +1 415 555 0100)"


def test_duplicate_twilio_sid_is_rejected():
    message = MessageFactory(twilio_sid="SM" + "a" * 32)
    with pytest.raises(IntegrityError), transaction.atomic():
        MessageFactory(conversation=message.conversation, twilio_sid="SM" + "a" * 32)


def test_messages_without_sid_may_repeat():
    message = MessageFactory(twilio_sid=None)
    MessageFactory(conversation=message.conversation, twilio_sid=None)
    assert Message.objects.filter(twilio_sid__isnull=True).count() == 2


def test_recording_the_same_sid_twice_stores_one_message():
    contact = ContactFactory()
    first, created = message_record_inbound(contact=contact, body="hi 👋", twilio_sid="SM" + "b" * 32)
    second, created_again = message_record_inbound(contact=contact, body="hi 👋", twilio_sid="SM" + "b" * 32)
    assert created and not created_again and first.pk == second.pk
    assert contact.messages.count() == 1


def test_long_unicode_body_is_kept_whole():
    body = "Ünïcødé 🏡 " * 160
    message, _ = message_record_inbound(contact=ContactFactory(), body=body, twilio_sid="SM" + "c" * 32)
    message.refresh_from_db()
    assert message.body == body


def test_scores_outside_0_100_are_rejected_by_the_database():
    contact = ContactFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.filter(pk=contact.pk).update(frs_score=101)


def test_facts_are_validated():
    contact = ContactFactory(facts={"budget_max": 450000, "financing": "pre_approved", "bedrooms": 3})
    contact.full_clean()
    contact.facts = {"budget_max": -5}
    with pytest.raises(ValidationError):
        contact.full_clean()
    contact.facts = {"favourite_colour": "blue"}
    with pytest.raises(ValidationError):
        contact.full_clean()


def test_pgvector_extension_is_installed():
    with connection.cursor() as cursor:
        cursor.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
        (version,) = cursor.fetchone()
    assert version.split(".")[:2] == ["0", "8"]


def test_seed_demo_is_idempotent():
    from django.core.management import call_command

    call_command("seed_demo")
    call_command("seed_demo")
    assert Contact.objects.filter(phone__in=["+14155550101", "+15125550102", "+13055550103"]).count() == 3
