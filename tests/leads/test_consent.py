"""Consent records: how a contact agreed to texts that are not replies (they texted first, a web form, an agent's
note, START), revoked by an opt-out; the outbound service refuses first texts and nudges without one; the contact
page shows them and export_leads writes them. Twilio's REST API is faked at the HTTP layer."""

import csv
import io
import json
from datetime import datetime
from datetime import timezone as dt_timezone

import pytest
from django.urls import reverse

from leads.models import Author, ConsentMethod, DeliveryStatus, Message, MessagePurpose
from leads.selectors import contact_has_consent
from leads.services import consent_record
from sms import outbound
from sms.services import outbound_queue
from tests.support.commands import run_command
from tests.support.factories import ContactFactory
from tests.support.twilio import twilio_created
from tests.support.webhooks import inbound_params, signed_post

pytestmark = pytest.mark.django_db

DAYTIME_UTC = datetime(2026, 11, 26, 18, 0, tzinfo=dt_timezone.utc)  # 1pm New York


def test_a_prospect_who_texts_first_has_consent_on_file_with_their_words(client):
    signed_post(client, "/sms/inbound", inbound_params("hi, we want to buy a house", sender="+12125550140"))
    consent = Message.objects.get().contact.consents.get()
    assert (consent.method, consent.wording, consent.source, consent.revoked_at) == (
        ConsentMethod.TEXTED_FIRST, "hi, we want to buy a house", "SMS", None)
    # A second text is no second record.
    signed_post(client, "/sms/inbound", inbound_params("Maria", sender="+12125550140", sid="SM" + "1" * 32))
    assert Message.objects.first().contact.consents.count() == 1


def test_a_first_text_without_consent_is_refused_with_the_reason(twilio):
    contact = ContactFactory(phone="+12125550141")
    first = outbound_queue(contact=contact, body="Hi! Thanks for your inquiry.", author=Author.BOT,
                           purpose=MessagePurpose.FIRST_TEXT)
    assert outbound.send(first.pk, now=DAYTIME_UTC).status == DeliveryStatus.SUPPRESSED
    first.refresh_from_db()
    assert first.error_code == outbound.Refusal.NO_CONSENT and len(twilio.calls) == 0


def test_a_first_text_with_consent_is_sent_and_a_reply_needs_none(twilio):
    contact = ContactFactory(phone="+12125550142")
    consent_record(contact=contact, method=ConsentMethod.WEB_FORM, wording="I agree to receive texts",
                   source="https://example.com/contact")
    twilio.add(twilio_created(sid="SM" + "b" * 32))
    first = outbound_queue(contact=contact, body="Hi!", author=Author.BOT, purpose=MessagePurpose.FIRST_TEXT)
    assert outbound.send(first.pk, now=DAYTIME_UTC).status == "queued"
    other = ContactFactory(phone="+12125550143")  # no consent at all
    twilio.add(twilio_created(sid="SM" + "c" * 32))
    reply = outbound_queue(contact=other, body="Thanks!", author=Author.BOT)
    assert outbound.send(reply.pk, now=DAYTIME_UTC).status == "queued"
    assert len(twilio.calls) == 2


def test_an_opt_out_revokes_consent_and_start_records_a_new_one(client, twilio):
    sender = "+12125550144"
    signed_post(client, "/sms/inbound", inbound_params("hello", sender=sender))
    contact = Message.objects.get().contact
    assert contact_has_consent(contact)
    signed_post(client, "/sms/inbound", inbound_params("please stop texting me", sender=sender, sid="SM" + "2" * 32))
    contact.refresh_from_db()
    revoked = contact.consents.get()
    assert revoked.revoked_at is not None and "please stop texting me" in revoked.revoked_because
    assert not contact_has_consent(contact)
    nudge = outbound_queue(contact=contact, body="Still looking?", author=Author.BOT, purpose=MessagePurpose.NUDGE)
    assert outbound.send(nudge.pk, now=DAYTIME_UTC).status == DeliveryStatus.SUPPRESSED
    signed_post(client, "/sms/inbound", inbound_params("START", sender=sender, sid="SM" + "3" * 32))
    contact.refresh_from_db()
    assert contact_has_consent(contact)
    assert contact.consents.filter(revoked_at__isnull=True).get().method == ConsentMethod.OPTED_IN


def test_an_opted_out_contacts_text_is_no_consent(client):
    contact = ContactFactory(phone="+12125550145", opted_out=True)
    signed_post(client, "/sms/inbound", inbound_params("what?", sender=contact.phone))
    assert not contact.consents.exists()


def test_the_contact_page_shows_consent_and_an_agent_records_a_note(client, agent):
    contact = ContactFactory(phone="+12125550146")
    page = client.get(reverse("admin:leads_contact_change", args=[contact.pk])).content.decode()
    assert "No consent on file" in page
    consent_record(contact=contact, method=ConsentMethod.WEB_FORM, wording="Yes, text me about homes",
                   source="https://example.com/listing/12")
    client.post(reverse("admin:leads_contact_consent", args=[contact.pk]),
                {"note": "Agreed on the phone to texts, Dec 3"})
    page = client.get(reverse("admin:leads_contact_change", args=[contact.pk])).content.decode()
    assert "Yes, text me about homes" in page and "https://example.com/listing/12" in page
    assert "Agreed on the phone to texts, Dec 3" in page and "An agent&#x27;s note" in page
    assert contact.consents.get(method=ConsentMethod.AGENT_NOTE).recorded_by == agent


def test_an_agent_cannot_record_consent_for_an_opted_out_contact(client, agent):
    contact = ContactFactory(phone="+12125550147", opted_out=True)
    client.post(reverse("admin:leads_contact_consent", args=[contact.pk]), {"note": "said ok"})
    assert not contact.consents.exists()


def test_export_leads_writes_consent_records():
    contact = ContactFactory(phone="+12125550148")
    consent_record(contact=contact, method=ConsentMethod.WEB_FORM, wording="I agree",
                   source="https://example.com/f", obtained_at=DAYTIME_UTC)
    row = next(csv.DictReader(io.StringIO(run_command("export_leads", "--format", "csv"))))
    assert json.loads(row["consent"]) == [{"method": "web_form", "obtained_at": DAYTIME_UTC.isoformat(),
                                           "wording": "I agree", "source": "https://example.com/f", "note": "",
                                           "revoked_at": None, "revoked_because": ""}]
    assert json.loads(run_command("export_leads", "--format", "json"))[0]["consent"][0]["method"] == "web_form"
