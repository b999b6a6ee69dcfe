"""Property-based tests (hypothesis) of the signed webhook: random texts and malformed posts never get a 500, and a
valid text is never lost. Example counts are fixed (tests/support/fuzz.py) so a run tries the same number every
time. (The parsers on their own: tests/leads/test_fuzz.py and tests/sms/test_fuzz.py.)"""

import uuid

import pytest
from hypothesis import given, strategies as st

from leads.models import Message
from tests.support.fuzz import WEBHOOK_FUZZ
from tests.support.webhooks import twilio_signature


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
