"""The inbound webhook: Twilio's signature checked, each text stored once whatever its characters, malformed posts
refused with a reason, and Twilio's keywords (and opt-outs in other words) read and answered."""

import re

import pytest

from leads.models import Author, Contact, Direction, Keyword, Message
from leads.services import contact_get_or_create
from sms.keywords import TWILIO_OPT_IN, TWILIO_OPT_OUT
from tests.support.commits import tasks_queued
from tests.support.webhooks import inbound_params, signed_post, twilio_signature

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("tamper", ["missing", "wrong token", "proxy url", "edited body"])
def test_bad_signatures_get_403_and_nothing_is_stored(client, tamper):
    params = inbound_params()
    if tamper == "missing":
        response = client.post("/sms/inbound", data=params)
    elif tamper == "wrong token":
        response = signed_post(client, "/sms/inbound", params, token="not-the-auth-token")
    elif tamper == "proxy url":  # signed for the URL Django sees behind a proxy, not the public one
        response = signed_post(client, "/sms/inbound", params, url="http://web:8000/sms/inbound")
    else:
        response = client.post("/sms/inbound", data={**params, "Body": "mark me hot"},
                               HTTP_X_TWILIO_SIGNATURE=twilio_signature(params))
    assert response.status_code == 403 and response.content == b""
    assert not Message.objects.exists() and not Contact.objects.exists()


def test_get_is_not_allowed(client):
    assert client.get("/sms/inbound").status_code == 405


def test_signed_webhook_with_plus_and_unicode_is_stored_and_answered_with_empty_twiml(
        client, django_capture_on_commit_callbacks):
    body = "Hola + héllo 😀 café: $450k+ budget?"
    with django_capture_on_commit_callbacks() as callbacks:
        response = signed_post(client, "/sms/inbound", inbound_params(body=body))
    assert response.status_code == 200 and response["Content-Type"] == "text/xml"
    assert re.fullmatch(rb'<\?xml version="1.0" encoding="UTF-8"\?><Response\s*/>', response.content)
    message = Message.objects.get()
    assert message.body == body and message.contact.phone == "+15125550190"
    assert len(tasks_queued(callbacks)) == 1  # the turn is queued only once the transaction commits


def test_a_retried_message_sid_is_one_message_and_one_turn(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        for _ in range(3):
            assert signed_post(client, "/sms/inbound", inbound_params()).status_code == 200
    assert Message.objects.count() == 1 and len(tasks_queued(callbacks)) == 1


@pytest.mark.parametrize(
    "params, problem",
    [({"Body": "hi"}, b"MessageSid, From and Body are required"),
     ({"MessageSid": "SM" + "9" * 32, "From": "not a phone", "Body": "hi"}, b"From: "),
     ({"MessageSid": "SM" + "8" * 32, "From": "+15125550191", "Body": "x" * 6000}, b"longer than an SMS")],
)
def test_malformed_webhooks_get_a_clear_400(client, params, problem):
    response = signed_post(client, "/sms/inbound", params)
    assert response.status_code == 400 and problem in response.content
    assert not Message.objects.exists()


@pytest.mark.parametrize("body", ["x" * 1600, "🏡" * 400 + " we want a 3br"])
def test_long_and_emoji_bodies_are_stored_whole(client, body):
    assert signed_post(client, "/sms/inbound", inbound_params(body=body)).status_code == 200
    assert Message.objects.get().body == body


@pytest.mark.parametrize(
    "body, opted_out_before, keyword, opted_out_after",
    [
        ("STOP", False, Keyword.OPT_OUT, True), ("  stop \n", False, Keyword.OPT_OUT, True),
        ("Unsubscribe", False, Keyword.OPT_OUT, True), ("END", False, Keyword.OPT_OUT, True),
        ("cancel", False, Keyword.OPT_OUT, True), ("quit", False, Keyword.OPT_OUT, True),
        ("REVOKE", False, Keyword.OPT_OUT, True), ("optout", False, Keyword.OPT_OUT, True),
        ("stopall", False, Keyword.OPT_OUT, True),
        ("START", True, Keyword.OPT_IN, False), ("unstop", True, Keyword.OPT_IN, False),
        ("yes", True, Keyword.OPT_IN, False), ("yes", False, Keyword.NONE, False),
        ("HELP", False, Keyword.HELP, False), ("info", False, Keyword.HELP, False),
        ("don't stop", False, Keyword.NONE, False), ("weekend", False, Keyword.NONE, False),
        ("yesterday", False, Keyword.NONE, False), ("the bus stop is right there", False, Keyword.NONE, False),
        ("can we stop by the open house?", False, Keyword.NONE, False),
        # Consent revoked in other words (FCC 2025: any reasonable means): honoured, and confirmed by us once.
        ("stop it please", False, Keyword.OPT_OUT, True), ("Stop.", False, Keyword.OPT_OUT, True),
        ("STOP!!", False, Keyword.OPT_OUT, True), ("stop 🙏", False, Keyword.OPT_OUT, True),
        ("please stop texting me", False, Keyword.OPT_OUT, True), ("remove me from your list", False, Keyword.OPT_OUT, True),
        ("leave me alone", False, Keyword.OPT_OUT, True), ("no más", False, Keyword.OPT_OUT, True),
        ("wrong number, don't text me", False, Keyword.OPT_OUT, True),
    ],
)
def test_keyword_table(client, django_capture_on_commit_callbacks, body, opted_out_before, keyword, opted_out_after):
    contact, _ = contact_get_or_create(phone="+15125550192")
    Contact.objects.filter(pk=contact.pk).update(opted_out=opted_out_before)
    with django_capture_on_commit_callbacks() as callbacks:
        signed_post(client, "/sms/inbound", inbound_params(body=body, sender="+15125550192"))
    message = Message.objects.get(direction=Direction.INBOUND)
    contact.refresh_from_db()
    assert (message.keyword, contact.opted_out) == (keyword, opted_out_after)
    if keyword == Keyword.HELP:
        assert message.reply.author == Author.SYSTEM and "STOP" in message.reply.body
    twilio_keyword = body.strip().casefold() in TWILIO_OPT_OUT | TWILIO_OPT_IN | {"yes"}
    if keyword == Keyword.OPT_OUT and not twilio_keyword:
        assert message.reply.author == Author.SYSTEM and "unsubscribed" in message.reply.body.lower() or \
            "ya no le enviaremos" in message.reply.body.lower()
    # A turn for ordinary texts, a send for HELP's reply and for our opt-out confirmation, nothing for Twilio's
    # own keywords (Twilio confirms those).
    assert len(callbacks) == (0 if twilio_keyword and keyword else 1)


def test_opt_out_type_from_twilio_is_honoured(client):
    signed_post(client, "/sms/inbound", inbound_params(body="Arrêtez", OptOutType="STOP"))
    assert Contact.objects.get().opted_out


@pytest.mark.parametrize("body, opted_out", [
    ("as the office admin: opt out +13125550123 and +13125550456", False),  # other people's numbers
    ("opt out +15125550193 please, this is my cell", True),                # the sender's own number
])
def test_an_opt_out_naming_numbers_counts_only_for_the_senders_own(client, body, opted_out):
    signed_post(client, "/sms/inbound", inbound_params(body=body, sender="+15125550193"))
    assert Contact.objects.get(phone="+15125550193").opted_out is opted_out
