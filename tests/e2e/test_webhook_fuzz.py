"""Property-based tests (hypothesis): the parsers and the webhook on random input never crash, never answer 500,
and never lose a valid message. Example counts are fixed (tests/support/fuzz.py) so a run tries the same number
every time."""

import uuid

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, strategies as st

from leads.facts import QualificationFacts
from leads.models import Keyword, Message
from leads.phones import normalize_phone
from leads.understanding import extract
from sms.keywords import TWILIO_HELP, TWILIO_OPT_IN, TWILIO_OPT_OUT, classify_keyword
from sms.segments import fit_segments, is_gsm7, segment_count, to_gsm7
from tests.support.fuzz import FUZZ, WEBHOOK_FUZZ
from tests.support.webhooks import twilio_signature

sms_text = st.text(max_size=1600)


@FUZZ
@given(sms_text, st.booleans())
def test_twilio_keywords_are_exact_single_words_and_anything_else_is_read_safely(text, opted_out):
    match = classify_keyword(text, opted_out=opted_out)
    word = text.strip().casefold()
    if word in TWILIO_OPT_OUT:
        assert (match.keyword, match.confirmed_by_twilio) == (Keyword.OPT_OUT, True)
    elif word in TWILIO_OPT_IN or (word == "yes" and opted_out):
        assert (match.keyword, match.confirmed_by_twilio) == (Keyword.OPT_IN, True)
    elif word in TWILIO_HELP:
        assert (match.keyword, match.confirmed_by_twilio) == (Keyword.HELP, True)
    else:
        # Our own reading (opt-out in words, keywords with punctuation) never claims Twilio answered it.
        assert match.keyword in Keyword.values and not match.confirmed_by_twilio


@FUZZ
@given(sms_text)
def test_segments_and_gsm_conversion(text):
    assert segment_count(text) >= 1
    converted = to_gsm7(text)
    assert is_gsm7(converted)
    fitted = fit_segments(text, 2)
    assert segment_count(fitted) <= 2 or len(fitted.split()) <= 1


@FUZZ
@given(st.text(max_size=40))
def test_phone_parsing_returns_e164_or_a_clear_error(raw):
    try:
        e164 = normalize_phone(raw)
    except ValidationError as exc:
        assert "phone number" in exc.messages[0]
        return
    assert e164.startswith("+") and e164[1:].isdigit()
    assert normalize_phone(e164) == e164


@FUZZ
@given(sms_text, st.text(max_size=200))
def test_the_extractor_never_raises_and_its_facts_validate(text, context):
    extraction = extract(text, context)
    QualificationFacts.model_validate(extraction.facts)
    assert extraction.fingerprint == extract(text, context).fingerprint  # deterministic


@pytest.mark.django_db
@WEBHOOK_FUZZ
@given(body=st.text(max_size=1600) | st.text(alphabet=st.sampled_from("a\x00 é😀"), max_size=20), sender_digits=st.integers(min_value=2000000, max_value=9999999))
def test_any_valid_signed_text_is_stored_exactly_once(client, body, sender_digits):
    sid = f"SM{uuid.uuid4().hex}"
    params = {"MessageSid": sid, "From": f"+1512{sender_digits}", "To": "+15005550006", "Body": body}
    response = client.post("/sms/inbound", data=params, HTTP_X_TWILIO_SIGNATURE=twilio_signature(params))
    if response.status_code == 400:  # a random number that is not a possible phone number
        assert b"From:" in response.content and not Message.objects.filter(twilio_sid=sid).exists()
        return
    assert response.status_code == 200
    stored = Message.objects.get(twilio_sid=sid)
    assert stored.body == body.replace("\x00", "")  # NUL is dropped (PostgreSQL text cannot hold it)


@pytest.mark.django_db
def test_a_nul_character_does_not_lose_the_text(client):
    params = {"MessageSid": "SM" + "3" * 32, "From": "+15125550231", "To": "+15005550006", "Body": "a\x00b"}
    assert client.post("/sms/inbound", data=params, HTTP_X_TWILIO_SIGNATURE=twilio_signature(params)).status_code == 200
    assert Message.objects.get(twilio_sid="SM" + "3" * 32).body == "ab"


@pytest.mark.django_db
@WEBHOOK_FUZZ
@given(fields=st.dictionaries(st.sampled_from(["MessageSid", "From", "To", "Body", "OptOutType", "Junk"]),
                              st.text(max_size=300), max_size=6),
       content_type=st.sampled_from(["application/x-www-form-urlencoded", "application/json", "text/plain",
                                     "multipart/form-data; boundary=zz"]),
       sign=st.booleans())
def test_malformed_webhooks_never_get_a_500(client, fields, content_type, sign):
    headers = {"HTTP_X_TWILIO_SIGNATURE": twilio_signature(fields)} if sign else {}
    if content_type == "application/x-www-form-urlencoded":
        response = client.post("/sms/inbound", data=fields, **headers)
    else:
        response = client.post("/sms/inbound", data=str(fields), content_type=content_type, **headers)
    assert response.status_code in (200, 400, 403)
    if response.status_code == 200:
        assert Message.objects.filter(twilio_sid=fields["MessageSid"].strip()).exists()
