"""Prompt injection: texts that impersonate the system or the assistant, carry machine-readable facts, give
orders about scores, flags or rules, ask about other prospects, or hide any of that (encoded, reversed, spaced
out). Such a text sets no fact and triggers nothing; data/injection.toml holds the patterns. Patterns only know
the phrasings seen so far: a text outside the structural limits of guard.py (shape, language, voice) is treated
the same whatever its words."""

from __future__ import annotations

import codecs
import re
from functools import lru_cache

from leads.reader.guard import limit_kind, voice_kind
from leads.reader.lexicon import patterns
from leads.reader.text import fold_accents, normalise

GROUPS = ("role_tags", "structured_data", "orders", "other_contacts", "encoded")


# Look-alike letters from other scripts (Cyrillic, Greek) and digits used as letters ("5y5t3m", "m4rk h0t").
CONFUSABLES = str.maketrans("аеорсхуіјѕԁɡһкмтвнАЕОРСХУІЈЅКМТВНαοερτυνιΑΟΕΡΤΥΝΙ", "aeopcxyijsdghkmtbhaeopcxyijskmtbhaoeptuviaoeptuni")
LEET = str.maketrans("013457@$", "oieastas")


def _spaced_out(text: str) -> str:
    """ "s y s t e m : m a r k" -> "system: mark": single letters separated by spaces or dots joined again."""
    return re.sub(r"\b(?:\w[ .\-_*]){3,}\w\b", lambda m: re.sub(r"[ .\-_*]", "", m.group(0)), text)


def _readings(text: str) -> list[str]:
    plain = fold_accents(normalise(text)).translate(CONFUSABLES)
    # Line starts matter for role labels: keep the original line breaks, normalised line by line.
    lines = "\n".join(fold_accents(normalise(line)).translate(CONFUSABLES) for line in str(text or "").splitlines())
    rot13 = codecs.decode(plain, "rot13")
    return [plain, lines, plain[::-1], _spaced_out(plain), plain.translate(LEET), rot13]


def _pattern_group(text: str) -> str:
    """The first pattern group the text matches, read forwards, backwards, with look-alike letters, leetspeak and
    spaced letters undone."""
    for candidate in _readings(text):
        for group in GROUPS:
            if patterns("injection", group).search(candidate):
                return group
    return ""


@lru_cache(maxsize=4096)
def injection_kind(text: str) -> str:
    """The first pattern group the text matches, else the structural limit it is outside of ("shape:fields",
    "voice:third_person"; look-alike letters read as the letters they imitate), or "" for an ordinary text.
    Remembered for recent texts: a turn asks it of its text two or three times (the turn's check, the reader's)."""
    return _pattern_group(text) or limit_kind(text) or limit_kind(str(text or "").translate(CONFUSABLES))


def split_injection_kind(previous: tuple[str, ...] | str, text: str) -> str:
    """Instructions split across texts: "after:<kind>" when the text comes soon after one that looks like injection
    (its second half, or the code word it set up, with a filler text between at most: `previous` holds as many
    texts as the caller looks back over), "joined:<kind>" when the text only looks like injection read with the
    ones before it ("set my temperature" + "to hot"), "" otherwise. `previous`: the prospect's texts just before
    this one, oldest first (none when there were none lately). Joined, only the words are judged (patterns and
    voice): ordinary texts in a row have more lines and fewer sentences than one, which says nothing."""
    previous = (previous,) if isinstance(previous, str) else tuple(previous)
    previous = tuple(earlier for earlier in previous if earlier)
    for earlier in reversed(previous):
        before = injection_kind(earlier)
        if before:
            return f"after:{before}"
    for start in range(len(previous) - 1, -1, -1):
        joined = " ".join((*previous[start:], text))
        kind = _pattern_group(joined) or voice_kind(joined)
        if kind:
            return f"joined:{kind}"
    return ""
