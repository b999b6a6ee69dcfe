"""The canonical form of an SMS and of the bot's question, for cache keys: what two messages must share for one
cached intent or facts answer to serve both.

Unlike the meaning fingerprint (which reads what a text means and guards the similarity tier), the canonical form
only drops differences of writing that change nothing: case, spacing, quotes and apostrophes, emphasis, hyphens
between words, and SMS spellings ("u", "pls", "thx": spelling.toml's abbreviations, the table the reader uses).
Digits, units, currency signs and every other word stay as typed (data/canonical.toml says which characters go).
The prompt still carries the prospect's own text: only the key is canonical.
"""

from __future__ import annotations

import re
import unicodedata

from .data import DataError, load
from .fingerprints import FINGERPRINT_VERSION
from .normalise import expand_apostrophes, plain_quotes
from .question import read_question
from .spelling import ABBREVIATIONS

_CANONICAL = load("canonical.toml")
CANONICAL_VERSION = _CANONICAL["version"]
if not _CANONICAL["not_expanded"] <= set(ABBREVIATIONS):
    raise DataError("leads/understanding/data/canonical.toml: not_expanded: "
                    f"{', '.join(sorted(_CANONICAL['not_expanded'] - set(ABBREVIATIONS)))} not in spelling.toml's "
                    "abbreviations")
_SPELLINGS = {short: full for short, full in ABBREVIATIONS.items() if short not in _CANONICAL["not_expanded"]}
_KEPT = _CANONICAL["kept_punctuation"]
_BETWEEN_DIGITS = _CANONICAL["kept_between_digits"]
_OWN_WORDS = _CANONICAL["own_words"]
_ACKNOWLEDGEMENTS = frozenset(_CANONICAL["acknowledgements"])
_WORD = re.compile(r"(?<!\w)[a-z][a-z0-9]*(?!\w)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def canonical_text(text: str) -> str:
    """"Pre-approved!!" and "pre approved" are "pre approved"; "u r pre-approved?" is "you are pre approved ?"."""
    text = expand_apostrophes(plain_quotes(unicodedata.normalize("NFKC", text).casefold()))
    characters = []
    for i, ch in enumerate(text):
        if ch in _OWN_WORDS:
            characters.append(f" {ch} ")
        elif not unicodedata.category(ch).startswith("P") or ch in _KEPT or (
                ch in _BETWEEN_DIGITS and 0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit()):
            characters.append(ch)
        else:
            characters.append(" ")
    spelled = _WORD.sub(lambda m: _SPELLINGS.get(m.group(0), m.group(0)), "".join(characters))
    words: list[str] = []
    for word in spelled.split():
        if not (word in _OWN_WORDS and words and words[-1] == word):
            words.append(word)
    return " ".join(words)


def canonical_question(question: str, *, leave_out: str = "") -> list:
    """The bot's question as a cache key: what it asks as the reader reads it (its terms, the options it offers
    in order, whether it is a yes/no question or an offer, the unit a bare number answers in), not its wording.
    `leave_out` is the prospect's own name: "Thanks, Dana! What price range...?" asks what "Thanks, Sam! What
    price range...?" asks, and an opening acknowledgement ("Got it, thanks.", "Great!") asks nothing, so it is left
    out too (data/canonical.toml). JSON-serialisable; the fingerprint's version is in it, since the reading's rules
    are."""
    for word in leave_out.split():
        if len(word) >= 2:
            question = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", " ", question, flags=re.IGNORECASE)
    sentences = _SENTENCE_END.split(question.strip())
    while len(sentences) > 1 and "?" not in sentences[0] and set(read_question(sentences[0]).terms) <= _ACKNOWLEDGEMENTS:
        sentences.pop(0)
    read = read_question(" ".join(sentences))
    return [FINGERPRINT_VERSION, list(read.terms), read.yes_no, read.offer, list(read.options),
            [list(option) for option in read.slot_options], read.asks_unit]
