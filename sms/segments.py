"""SMS encoding and segments: GSM-7 (160 chars, 153 per part when split) or UCS-2 (70, 67 per part).

One curly quote turns a whole message into UCS-2 and can double its segments, so replies are written in plain
GSM-7 unless the prospect wrote in a script that needs UCS-2.
"""

from __future__ import annotations

import unicodedata

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("^{}\\[~]|€\f")  # each costs two septets

# Characters that look like GSM-7 ones but are not: replaced rather than letting them force UCS-2.
LOOKALIKES = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
    "\u2013": "-", "\u2014": "-", "\u2012": "-", "\u2212": "-", "\u2010": "-", "\u2011": "-",
    "\u2026": "...", "\u00a0": " ", "\u2009": " ", "\u200b": "", "\u2022": "-", "\u00b7": "-",
}


def is_gsm7(text: str) -> bool:
    return all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)


def septets(text: str) -> int:
    return sum(2 if char in GSM7_EXTENSION else 1 for char in text)


def ucs2_units(text: str) -> int:
    # Characters outside the Basic Multilingual Plane (most emoji) take two UTF-16 code units.
    return len(text.encode("utf-16-le")) // 2


def segment_count(text: str) -> int:
    if not text:
        return 1
    if is_gsm7(text):
        length, single, multi = septets(text), 160, 153
    else:
        length, single, multi = ucs2_units(text), 70, 67
    return 1 if length <= single else -(-length // multi)


def to_gsm7(text: str) -> str:
    """Replace look-alike punctuation, drop accents GSM-7 lacks, and remove what cannot be written in GSM-7."""
    replaced = "".join(LOOKALIKES.get(char, char) for char in text)
    out = []
    for char in replaced:
        if char in GSM7_BASIC or char in GSM7_EXTENSION:
            out.append(char)
            continue
        base = unicodedata.normalize("NFKD", char)
        ascii_part = "".join(c for c in base if c in GSM7_BASIC)
        out.append(ascii_part)
    return " ".join("".join(out).split(" ")).strip()


def needs_unicode(text: str) -> bool:
    """True when the prospect writes in a script GSM-7 cannot carry (beyond emoji and punctuation)."""
    for char in text:
        if char in GSM7_BASIC or char in GSM7_EXTENSION or char in LOOKALIKES:
            continue
        category = unicodedata.category(char)
        if category.startswith("L"):  # a letter GSM-7 lacks (Cyrillic, CJK, Arabic, ...), not an emoji
            if not unicodedata.normalize("NFKD", char)[0] in GSM7_BASIC:
                return True
    return False


def fit_segments(text: str, max_segments: int) -> str:
    """The text cut at a word boundary (with an ellipsis) so it fits in `max_segments` segments."""
    if segment_count(text) <= max_segments:
        return text
    words = text.split()
    while words and segment_count(" ".join(words) + "...") > max_segments:
        words.pop()
    return (" ".join(words) + "...") if words else text[: 67 * max_segments]
