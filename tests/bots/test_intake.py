"""Web-lead intake, POST /leads/intake: the HMAC signature (403, nothing stored), a malformed body (400 with a JSON
error), an accepted lead (201 with the contact's id), the same lead twice (one contact, one text), a lead without
consent (stored, flagged for an agent, not texted), the type and message seeding the contact, and the first text
queued in the request's commit and sent through the outbound service (Twilio faked at the HTTP layer)."""

import hashlib
import hmac
import json
from datetime import datetime
from datetime import timezone as dt_timezone

import pytest
import time_machine

from leads.models import (
    BotKind,
    ConsentMethod,
    Contact,
    DeliveryStatus,
    FollowUp,
    LeadSubmission,
    LeadType,
    Message,
    MessagePurpose,
)
from tests.support.commits import tasks_queued
from tests.support.twilio import twilio_created

pytestmark = pytest.mark.django_db

SECRET = "test-intake-secret"
DAYTIME_UTC = datetime(2026, 11, 26, 18, 0, tzinfo=dt_timezone.utc)  # 1pm New York
NIGHT_UTC = datetime(2026, 11, 27, 3, 0, tzinfo=dt_timezone.utc)     # 10pm New York


@pytest.fixture(autouse=True)
def intake_secret(settings):
    settings.LEAD_INTAKE_SECRET = SECRET


def lead(**overrides):
    body = {
        "source": "Zillow", "type": "Property Inquiry",
        "message": "Interested in 3 bedroom homes in Astoria, budget around 650k",
        "person": {"firstName": "Ana", "lastName": "Reyes", "phones": [{"value": "(212) 555-0150", "type": "mobile"}],
                   "emails": [{"value": "ana@example.com"}]},
        "consent": {"text": "I agree to receive texts about homes from the team. Reply STOP to opt out.",
                    "at": "2026-11-26T17:59:00Z", "url": "https://example.com/listing/42"},
    }
    body.update(overrides)
    return body


def post(client, body, *, secret=SECRET, signature=None):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    if signature is None:
        signature = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    headers = {"HTTP_X_LEAD_SIGNATURE": signature} if signature else {}
    return client.post("/leads/intake", data=raw, content_type="application/json", **headers)


@pytest.mark.parametrize("signature", ["", "sha256=" + "0" * 64, "md5=abc"])
def test_a_missing_or_wrong_signature_is_403_and_stores_nothing(client, signature):
    response = post(client, lead(), signature=signature)
    assert response.status_code == 403 and "X-Lead-Signature" in response.json()["error"]
    assert not Contact.objects.exists() and not LeadSubmission.objects.exists()


def test_a_body_signed_with_another_secret_is_refused(client):
    assert post(client, lead(), secret="another").status_code == 403


def test_without_a_configured_secret_every_lead_is_refused(client, settings):
    settings.LEAD_INTAKE_SECRET = ""
    assert post(client, lead(), secret="").status_code == 403


@pytest.mark.parametrize("body, error", [
    (b"{not json", "not JSON"),
    (b"[1, 2]", "JSON object"),
    (json.dumps({"source": "Zillow"}).encode(), "person: Field required"),
    (json.dumps(lead(person={"firstName": "Ana", "phones": []})).encode(), "person.phones"),
    (json.dumps(lead(person={"phones": [{"value": "12"}]})).encode(), "'12' is not a phone number"),
    (json.dumps(lead(consent={"text": "ok", "at": "2026-11-26T17:59:00"})).encode(), "consent.at"),
])
def test_a_malformed_body_is_400_with_a_clear_error(client, body, error):
    response = post(client, body)
    assert response.status_code == 400 and error in response.json()["error"], response.json()
    assert not Contact.objects.exists()


def test_an_accepted_lead_seeds_the_contact_and_queues_its_first_text(client, django_capture_on_commit_callbacks):
    with time_machine.travel(DAYTIME_UTC, tick=False), django_capture_on_commit_callbacks() as callbacks:
        response = post(client, lead())
    assert response.status_code == 201
    contact = Contact.objects.get(pk=response.json()["contact_id"])
    assert (contact.phone, contact.name, contact.email, contact.source, contact.lead_type) == (
        "+12125550150", "Ana Reyes", "ana@example.com", "Zillow", LeadType.BUYER)
    assert contact.facts["bedrooms"] == 3 and contact.facts["areas"] == ["Astoria"]
    consent = contact.consents.get()
    assert (consent.method, consent.source) == (ConsentMethod.WEB_FORM, "https://example.com/listing/42")
    assert consent.wording.startswith("I agree to receive texts")
    first = Message.objects.get(contact=contact)
    assert first.purpose == MessagePurpose.FIRST_TEXT and first.status == DeliveryStatus.QUEUED
    assert first.body.startswith("Hi Ana, thanks for your inquiry on Zillow!") and "Reply STOP to opt out." in first.body
    assert "pre-approved" in first.body  # the Buyer bot's first question: financing
    assert len(tasks_queued(callbacks)) == 1  # the send task is queued when the request's transaction commits
    assert LeadSubmission.objects.get().payload["person"]["firstName"] == "Ana"


def test_a_seller_inquiry_starts_the_seller_bot(client):
    response = post(client, lead(type="Seller Inquiry", message="Thinking of selling my condo this spring"))
    contact = Contact.objects.get(pk=response.json()["contact_id"])
    assert contact.lead_type == LeadType.SELLER
    assert contact.conversations.get().active_bot == BotKind.SELLER
    assert "address of the home you're thinking of selling" in Message.objects.get(contact=contact).body


def test_the_same_lead_posted_twice_is_one_contact_texted_once(client):
    first, second = post(client, lead()), post(client, lead(message="looking in Long Island City too"))
    assert first.status_code == second.status_code == 201
    assert first.json()["contact_id"] == second.json()["contact_id"] and second.json()["merged"]
    assert "already texted" in second.json()["first_text"]
    contact = Contact.objects.get()
    assert Message.objects.filter(contact=contact).count() == 1 and contact.consents.count() == 1
    assert set(contact.facts["areas"]) == {"Astoria", "Long Island City"}
    assert LeadSubmission.objects.filter(contact=contact).count() == 2


def test_a_lead_without_consent_is_stored_flagged_and_not_texted(client, settings, mailoutbox,
                                                                 django_capture_on_commit_callbacks):
    from config.celery import app

    settings.AGENT_ALERT_EMAILS = ["agents@example.com"]
    body = lead()
    del body["consent"]
    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = post(client, body)
    finally:
        app.conf.task_always_eager = False
    assert len(mailoutbox) == 1 and "without consent" in mailoutbox[0].body  # agents are told once
    assert response.status_code == 201 and "no consent" in response.json()["first_text"]
    contact = Contact.objects.get()
    assert contact.needs_agent and "without consent" in contact.handoff_reason
    assert not Message.objects.filter(contact=contact).exists()


def test_the_first_text_reaches_twilio_when_the_task_runs(client, twilio, django_capture_on_commit_callbacks, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from config.celery import app

    app.conf.task_always_eager = True
    try:
        twilio.add(twilio_created(sid="SM" + "d" * 32))
        with time_machine.travel(DAYTIME_UTC, tick=False), \
                django_capture_on_commit_callbacks(execute=True):
            post(client, lead())
    finally:
        app.conf.task_always_eager = False
    assert len(twilio.calls) == 1 and "Hi+Ana" in str(twilio.calls[0].request.body)
    assert Message.objects.get().twilio_sid == "SM" + "d" * 32


def test_a_lead_at_night_is_texted_at_the_next_allowed_time(client, twilio, settings):
    from sms import outbound

    with time_machine.travel(NIGHT_UTC, tick=False):
        post(client, lead())
    first = Message.objects.get()
    outcome = outbound.send(first.pk, now=NIGHT_UTC)
    assert outcome.status == DeliveryStatus.DEFERRED and outcome.send_after.hour == 8 and len(twilio.calls) == 0


def test_a_renters_first_text_says_the_team_buys_and_sells_and_starts_no_follow_ups(client):
    response = post(client, lead(type="General Inquiry", message="looking to rent a 2 bedroom apartment"))
    contact = Contact.objects.get(pk=response.json()["contact_id"])
    first = Message.objects.get(contact=contact)
    assert contact.lead_type == LeadType.RENTER and "can't help with rentals" in first.body
    assert not FollowUp.objects.filter(contact=contact).exists()


def test_a_lead_hot_from_its_message_is_handed_to_an_agent_with_its_first_text(client):
    response = post(client, lead(message="Pre-approved for 650k, want to buy in Astoria within 30 days"))
    contact = Contact.objects.get(pk=response.json()["contact_id"])
    first = Message.objects.get(contact=contact)
    assert contact.needs_agent and contact.handoff_reason == "hot lead"
    assert first.author == "handoff" and "One of our agents will reach out" in first.body
    assert FollowUp.objects.filter(contact=contact).first() is None
