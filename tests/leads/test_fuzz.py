"""Property-based tests (hypothesis) of the domain's parsers: phone numbers and the extractor on random text give a
clear answer or a clear error, never a crash. Example counts are fixed (tests/support/fuzz.py)."""

from django.core.exceptions import ValidationError
from hypothesis import given, strategies as st

from leads.facts import QualificationFacts
from leads.phones import normalize_phone
from leads.understanding import extract
from tests.support.fuzz import FUZZ

sms_text = st.text(max_size=1600)


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
