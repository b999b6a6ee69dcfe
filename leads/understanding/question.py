"""The bot's question: what it asks about, which options it offers, whether a yes/no answer fits. A short
reply ("3", "the first one", "yes") means something only with it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .data import load
from .lexicon import LEXICON, read_tokens
from .normalise import normalise
from .slots import Measure
from .structure import structure, terms
from .tokens import BOUNDARY, CONCEPT, DETERMINER, FILLER, PROPERTY_NOUN, SLOT, UNIT, Token

_QUESTION = load("question.toml")
_AUXILIARIES = _QUESTION["auxiliaries"]
_LEAD_IN_WORDS = _QUESTION["lead_in_words"]
_YES_NO_CLOSERS = _QUESTION["yes_no_closers"]
_COUNTED_UNITS = _QUESTION["counted_units"]
_MONEY_WORDS = _QUESTION["money_words"]
_HOW_MANY_WORDS = _QUESTION["how_many_words"]
_NEVER_RESTATED = _QUESTION["never_restated"]
_OFFER = re.compile(r"\b(" + "|".join(_QUESTION["offer_phrases"]) + r")\b")
_CLAUSE_BREAK = re.compile(r"[-.;:!?]")
_LETTERS = re.compile(r"[a-z]+")
_SKIPPED_IN_OPTIONS = (FILLER, DETERMINER, PROPERTY_NOUN)


@dataclass(frozen=True)
class Question:
    text: str = ""
    terms: tuple = ()               # canonical terms of the question itself (part of the fingerprint)
    yes_no: bool = False            # a yes/no question ("Have you been pre-approved?")
    offer: bool = False             # an offer ("Would you like ...?"): a bare "no" declines
    options: tuple = ()             # concept alternatives, in order ("BUY", "SELL", "BOTH")
    slot_options: tuple = ()        # day/time alternatives, in order (("day=tue", "time=16:00"), ...)
    asks_unit: str | None = None    # the unit a bare number answers in (bed, bath, month, ..., money)
    restatable: frozenset = field(default_factory=frozenset)  # terms that, restated, answer a yes/no question


NO_QUESTION = Question()


@lru_cache(maxsize=1024)
def read_question(context: str) -> Question:
    if not context.strip():
        return NO_QUESTION
    text = normalise(context)
    words = _LETTERS.findall(text)
    asks_unit = _asked_unit(words)
    toks = structure(read_tokens(text), None, money_context=asks_unit == "money")
    options = _concept_options(toks)
    own_terms = [t for t in terms(toks) if not t.startswith("~")]
    restatable = frozenset(t for t in own_terms if t not in _NEVER_RESTATED and not t.startswith("!"))
    return Question(text=text, terms=tuple(sorted(set(own_terms))), yes_no=_is_yes_no(text, words) and not options,
                    offer=bool(_OFFER.search(text)), options=options, slot_options=_slot_options(toks),
                    asks_unit=asks_unit, restatable=restatable)


def _asked_unit(words: list[str]) -> str | None:
    """"How many bedrooms": bed; "how many months": month; "how much", or a price word: money."""
    asks_unit = None
    for i, word in enumerate(words):
        if word in _HOW_MANY_WORDS:
            for following in words[i + 1:i + 3]:
                meaning = LEXICON.get((following,))
                if meaning and meaning.kind is UNIT and meaning.value in _COUNTED_UNITS:
                    asks_unit = meaning.value
        if word == "how" and i + 1 < len(words) and words[i + 1] in ("many", "much"):
            for following in words[i + 2:i + 4]:
                meaning = LEXICON.get((following,))
                if meaning and meaning.kind is UNIT and meaning.value in _COUNTED_UNITS:
                    asks_unit = meaning.value
            if asks_unit is None and words[i + 1] == "much":
                asks_unit = "money"
    if asks_unit is None and not _MONEY_WORDS.isdisjoint(words):
        asks_unit = "money"
    return asks_unit


def _is_yes_no(text: str, words: list[str]) -> bool:
    """Opening with an auxiliary ("Have you ...", "Quick question: are you ..."), or a last clause opening with
    one or with a closer ("..., sound good?")."""
    first = next((w for w in words if w not in _LEAD_IN_WORDS), "")
    clauses = [c.split() for c in _CLAUSE_BREAK.split(text) if c.split()]
    last_first = clauses[-1][0] if clauses else ""
    return first in _AUXILIARIES or last_first in _AUXILIARIES or last_first in _YES_NO_CLOSERS


def _concept_options(toks: list[Token]) -> tuple:
    """The alternatives of an "X, Y, or Z" question: the concept after "or" and the comma list before it."""
    for i, tok in enumerate(toks):
        if tok.kind is not BOUNDARY or tok.raw != "or":
            continue
        after = next((t for t in toks[i + 1:] if t.kind not in _SKIPPED_IN_OPTIONS), None)
        if after is None or after.kind is not CONCEPT:
            continue
        before = []
        j = i - 1
        while j >= 0 and (toks[j].kind in _SKIPPED_IN_OPTIONS or toks[j].kind is BOUNDARY and toks[j].raw == ","):
            j -= 1
        while j >= 0 and toks[j].kind is CONCEPT:
            before.insert(0, toks[j].value)
            j -= 1
            if j >= 0 and toks[j].kind is BOUNDARY and toks[j].raw == ",":
                j -= 1
            else:
                break
        if before:
            return tuple(before + [after.value])
    return ()


def _slot_options(toks: list[Token]) -> tuple:
    """Day/time alternatives in order: each weekday opens an option, the clock time after it joins it
    ("Tuesday at 4pm or Thursday at 10am"); without two days, the clock times alone ("4pm or 6pm")."""
    if not any(t.kind is BOUNDARY and t.raw == "or" for t in toks):
        return ()
    options, current = [], []
    for tok in toks:
        if tok.kind is SLOT and tok.value.measure is Measure.DAY:
            if current:
                options.append(tuple(current))
            current = [tok.value.term]
        elif _is_clock_time(tok) and current:
            current.append(tok.value.term)
    if current:
        options.append(tuple(current))
    if len(options) < 2:
        options = [(t.value.term,) for t in toks if _is_clock_time(t)]
    return tuple(options) if len(options) >= 2 else ()


def _is_clock_time(tok: Token) -> bool:
    """An appointment time ("at 4pm"), not a bound ("after 4pm")."""
    return tok.kind is SLOT and tok.value.measure is Measure.TIME and tok.value.comparison == "="
