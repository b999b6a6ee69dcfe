"""Places: street addresses after a house number, and the areas a message names (for the areas fact)."""

from __future__ import annotations

from .data import load
from .slots import Measure
from .tokens import CONCEPT, DETERMINER, SLOT, WORD, Token

_AREAS = load("areas.toml")
STREET_SUFFIXES = _AREAS["street_suffixes"]
_LOCATED_PREPOSITIONS = _AREAS["located_prepositions"]
_MOVING_CONCEPTS = _AREAS["moving_concepts"]
_AREA_QUESTION_WORDS = _AREAS["area_question_words"]
MAX_AREAS = 10          # QualificationFacts.areas holds at most ten
MAX_AREA_LENGTH = 60


def street_after(toks: list[Token], start: int) -> tuple[str, int] | None:
    """A street name and its suffix after a house number ("412 elm st": "elm street"), with the index after
    it; None when the words there are no street."""
    words = []
    for k in range(start, min(start + 4, len(toks))):
        tok = toks[k]
        if tok.kind is not WORD:
            return None
        words.append(tok.raw)
        if tok.raw in STREET_SUFFIXES and len(words) >= 2:
            return " ".join(words), k + 1
    return None


def areas(toks: list[Token], question_text: str) -> list[str]:
    """Places for the facts: zip codes, and names (unknown words) after in/near/around, after "moving to", or
    anywhere in a reply to a question about areas. Negated places ("not in round rock") are no areas."""
    asks_areas = any(word in question_text for word in _AREA_QUESTION_WORDS)
    found = []
    for i, tok in enumerate(toks):
        if tok.negated:
            continue
        if tok.kind is SLOT and tok.value.measure is Measure.ZIP:
            found.append(tok.value.name)
        elif tok.kind is WORD and (asks_areas or _is_located(toks, i)):
            found.append(tok.raw)
    result = []
    for area in found:
        if area not in result and len(area) <= MAX_AREA_LENGTH:
            result.append(area)
    return result[:MAX_AREAS]


def _is_located(toks: list[Token], i: int) -> bool:
    k = i - 1
    while k >= 0 and toks[k].kind is DETERMINER:
        k -= 1
    if k < 0:
        return False
    before, earlier = toks[k], toks[k - 1] if k >= 1 else None
    return (before.raw in _LOCATED_PREPOSITIONS or before.kind is CONCEPT and before.value == "NEAR"
            or before.raw == "to" and earlier is not None and earlier.kind is CONCEPT
            and earlier.value in _MOVING_CONCEPTS)
