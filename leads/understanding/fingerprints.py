"""Signals and the fingerprint: every term filed under one part, each part sorted, printed in a fixed order.

    v3|context=...|polarity=...|roles=...|slots=...|concepts=...|words=...|order=...

Two messages may share a cached answer only when their fingerprints are equal, so every difference of meaning
the rules can see must show here. "context" holds the terms of the bot's question: a short reply means
something only with it.
"""

from __future__ import annotations

from .data import DataError, load
from .question import Question

_FINGERPRINT = load("fingerprint.toml")
FINGERPRINT_VERSION = _FINGERPRINT["version"]
PARTS = _FINGERPRINT["parts"]
_POLARITY = _FINGERPRINT["polarity"]
_SLOT_PREFIXES = _FINGERPRINT["slot_prefixes"]
_ROLES = load("groups.toml")["roles"]
_CATEGORIES = ("context", "polarity", "roles", "slots", "concepts", "words", "order")
if sorted(PARTS) != sorted(_CATEGORIES):
    raise DataError(f"leads/understanding/data/fingerprint.toml: parts: expected the parts {', '.join(_CATEGORIES)} "
                    f"in any order, got {', '.join(PARTS)}")


def category(term: str) -> str:
    """The part a term belongs to. Read from the printed term: "!" negates, "<" orders two events, "=" is a
    slot, upper case a concept, lower case a word the lexicon does not know."""
    base = term.lstrip("!")
    if "@" in base:
        return "order"  # an argument bound to its event (resolve.py)
    if base.startswith(_SLOT_PREFIXES):
        return "slots"
    if "<" in base:
        return "order"
    if term in _POLARITY:
        return "polarity"
    if base in _ROLES:
        return "roles"
    if "=" in base:
        return "slots"
    if base[:1].isupper():
        return "concepts"
    return "words"


def signals(found: list[str], question: Question) -> dict[str, list[str]]:
    parts: dict[str, list[str]] = {part: [] for part in PARTS}
    parts["context"] = list(question.terms)
    for term in found:
        parts[category(term)].append(term)
    return {part: sorted(values) for part, values in parts.items()}


def render(signals_: dict[str, list[str]]) -> str:
    return "|".join([FINGERPRINT_VERSION] + [f"{part}=" + ",".join(signals_[part]) for part in PARTS])
