"""SMS segments (pure functions): GSM-7 and UCS-2 counts, GSM-7 conversion, and cutting a text to fit."""

import pytest

from sms.segments import fit_segments, needs_unicode, segment_count, to_gsm7


@pytest.mark.parametrize(
    "text, segments",
    [("a" * 160, 1), ("a" * 161, 2), ("a" * 306, 2), ("a" * 307, 3), ("€" * 80, 1), ("€" * 81, 2),
     ("é" * 160, 1), ("ñ" * 70, 1), ("😀" * 35, 1), ("😀" * 36, 2), ("Привет" * 12, 2), ("", 1)],
)
def test_segment_count_follows_gsm7_and_ucs2_rules(text, segments):
    assert segment_count(text) == segments


def test_curly_quotes_and_dashes_are_made_gsm7():
    assert to_gsm7("It\u2019s \u201cgreat\u201d \u2014 see you\u2026") == "It's \"great\" - see you..."
    assert segment_count(to_gsm7("\u201c" + "a" * 150 + "\u201d")) == 1


def test_unicode_is_kept_for_prospects_writing_in_other_scripts():
    assert needs_unicode("Здравствуйте, хочу купить квартиру")
    assert not needs_unicode("hi 👋 we want a condo")
    assert not needs_unicode("café in Zürich")


def test_fit_segments_cuts_at_a_word_boundary():
    long = "word " * 100
    cut = fit_segments(long, 2)
    assert segment_count(cut) == 2 and cut.endswith("...") and " wor..." not in cut
