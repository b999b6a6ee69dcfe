"""Property-based tests (hypothesis) of the SMS parsers: Twilio's keywords and the segment arithmetic on random text
never crash and keep their rules. Example counts are fixed (tests/support/fuzz.py)."""

from hypothesis import given, strategies as st

from leads.models import Keyword
from sms.keywords import TWILIO_HELP, TWILIO_OPT_IN, TWILIO_OPT_OUT, classify_keyword
from sms.segments import fit_segments, is_gsm7, segment_count, to_gsm7
from tests.support.fuzz import FUZZ

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
