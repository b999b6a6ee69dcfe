"""Sentence structure over the tokens: words read from their neighbours, slots, property noun phrases, joined
unknown words, planned states and the reach of negation; then the terms, in order.
"""

from __future__ import annotations

from .data import DataError, load
from .lexicon import WORDS
from .numbers import read_slots
from .tokens import (AMBIGUOUS, BOUNDARY, CLAUSE_SCOPE, CONCEPT, DAY, DETERMINER, FILLER, MONTH, NEGATOR,
                     NOUN_SCOPE, NUMBER, ORDINAL, PROPERTY_NOUN, REFERENCE, RELATIVE, SLOT, UNIT, WORD, Token)

_STRUCTURE = load("structure.toml")
_PLANNED_STATES = _STRUCTURE["planned_states"]
_BECOMING_WORDS = _STRUCTURE["becoming_words"]
_INTENDING_WORDS = _STRUCTURE["intending_words"]
_LISTING_OBJECTS = _STRUCTURE["listing_objects"]
_LIST_NOUN_AFTER = _STRUCTURE["list_noun_after"]
_FITS_BEFORE = _STRUCTURE["fits_before"]
_MAY_MONTH_AFTER = _STRUCTURE["may_month_after"]
_DESIRE_HEDGE_BEFORE = _STRUCTURE["desire_hedge_before"]
_PROPERTY_ADJECTIVES = _STRUCTURE["property_adjectives"]
_PROPERTY_MODIFIERS = _STRUCTURE["property_modifiers"]
_NOUN_PHRASE_WORDS = _STRUCTURE["noun_phrase_words"]
_NEVER_NEGATED = _STRUCTURE["never_negated"]
_NEGATION_CARRIES_PAST = _STRUCTURE["negation_carries_past"]
_CONTENT = (CONCEPT, WORD, SLOT, REFERENCE)
_SENTENCE_ENDS = frozenset(".!?;")


def structure(toks: list[Token], asked_unit: str | None, money_context: bool) -> list[Token]:
    toks = _disambiguate(toks)
    toks = read_slots(toks, asked_unit, money_context)
    toks = _property_phrases(toks)
    toks = _join_words(toks)
    toks = _planned_states(toks)
    return _negation(toks)


def terms(toks: list[Token]) -> list[str]:
    """The terms in order of appearance: "!" marks a negated one, "~" a cue that never reaches the fingerprint
    (a property noun, a sentence end). A negated YES is NO and a negated NO is YES."""
    found = []
    for tok in toks:
        kind = tok.kind
        if kind is CONCEPT or kind is WORD or kind is SLOT or kind is REFERENCE or kind is ORDINAL:
            if kind is REFERENCE:
                name = "REF"
            elif kind is ORDINAL:
                name = f"ord={tok.value}"
            elif kind is SLOT:
                name = tok.value.term
            else:
                name = tok.value
            if tok.negated:
                name = "NO" if name == "YES" else "YES" if name == "NO" else "!" + name
            found.append(name)
        elif kind is FILLER and tok.value == "PROPERTY":
            found.append("~PROPERTY")
        elif kind is BOUNDARY and tok.raw in _SENTENCE_ENDS:
            found.append("~SENTENCE")
    return found


# ---- words read from their neighbours -------------------------------------------------------------------------

def _listing(tok: Token, prev: Token | None, nxt: Token | None) -> Token:
    """"listing my house" (the verb: selling) vs "the listing on elm" (a property)."""
    if nxt is not None and nxt.raw in _LISTING_OBJECTS and (prev is None or prev.kind is not DETERMINER):
        return Token(CONCEPT, "SELL", tok.raw)
    return Token(PROPERTY_NOUN, None, tok.raw)


def _list(tok: Token, prev: Token | None, nxt: Token | None) -> Token:
    """"list in the spring" (selling) vs "send me a list", "your list" (a noun)."""
    if prev is not None and prev.raw in _LIST_NOUN_AFTER:
        return Token(FILLER, None, tok.raw)  # "off your list": the verb before it says what is asked
    if prev is not None and prev.kind is DETERMINER:
        return Token(WORD, "list", tok.raw)
    return Token(CONCEPT, "SELL", tok.raw)


def _work(tok: Token, prev: Token | None, nxt: Token | None) -> Token:
    """"tuesday works", "that doesnt work", "could work" (it fits) vs "relocating for work" (a job)."""
    if tok.value == "WORKING" and nxt is not None and nxt.raw == "with":
        return Token(FILLER, None, tok.raw)  # "working with an agent"
    if tok.value == "WORK" and prev is not None and (
            prev.raw in _FITS_BEFORE or prev.kind in (DAY, NUMBER, ORDINAL, UNIT, REFERENCE)):
        return Token(CONCEPT, "YES", tok.raw)
    return Token(CONCEPT, "JOB", tok.raw)


def _may(tok: Token, prev: Token | None, nxt: Token | None) -> Token:
    """"in may", "may 15" (the month) vs "we may sell" (the verb)."""
    if prev is not None and prev.raw in _MAY_MONTH_AFTER or nxt is not None and nxt.kind in (NUMBER, ORDINAL):
        return Token(MONTH, "may", tok.raw)
    return Token(FILLER, None, tok.raw)


def _desire(tok: Token, prev: Token | None, nxt: Token | None) -> Token:
    """"need to sell" (a hedge before the verb) vs "need a pool" (wanting a thing, unlike having it)."""
    if nxt is None or nxt.raw in _DESIRE_HEDGE_BEFORE or nxt.kind is BOUNDARY:
        return Token(FILLER, None, tok.raw)
    return Token(CONCEPT, "WANT", tok.raw)


def _her(tok: Token, prev: Token | None, nxt: Token | None) -> Token:
    """"call her" (someone else) vs "her house" (a possessive, like "his")."""
    if nxt is not None and nxt.kind in (PROPERTY_NOUN, WORD, CONCEPT, UNIT, NUMBER):
        return Token(FILLER, None, tok.raw)
    return Token(CONCEPT, "THIRD_PARTY", tok.raw)


def _next_or_last(tok: Token, prev: Token | None, nxt: Token | None) -> Token:
    return Token(RELATIVE, tok.value.lower(), tok.raw)  # read with what follows it in numbers.py


_READINGS = {"LISTING": _listing, "LIST": _list, "WORK": _work, "WORKING": _work, "MAY": _may, "DESIRE": _desire,
             "HER": _her, "NEXT": _next_or_last, "LAST": _next_or_last}
for _word, _reading in WORDS["ambiguous"].items():
    if _reading not in _READINGS:
        raise DataError(f"leads/understanding/data/words.toml: ambiguous.{_word}: no reading {_reading!r} "
                        f"(structure.py knows {', '.join(_READINGS)})")


def _disambiguate(toks: list[Token]) -> list[Token]:
    out = []
    for i, tok in enumerate(toks):
        if tok.kind is not AMBIGUOUS:
            out.append(tok)
            continue
        prev = toks[i - 1] if i else None
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        out.append(_READINGS[tok.value](tok, prev, nxt))
    return out


# ---- phrases --------------------------------------------------------------------------------------------------

def _property_phrases(toks: list[Token]) -> list[Token]:
    """Generic property nouns: "my house" (MY_HOME), "the house on elm" (THE_HOME, a particular one), "a house"
    (nothing more than the sentence already says; kept as a cue for the buyer rule)."""
    out: list[Token] = []
    for tok in toks:
        if tok.kind is CONCEPT and tok.value == "AVAILABLE" and tok.raw == "for sale" and out and \
                out[-1].value == "PROPERTY":
            continue  # "homes for sale" are listings: nothing more than "homes"
        if tok.kind is not PROPERTY_NOUN:
            out.append(tok)
        elif _is_mine(out):
            out.append(Token(CONCEPT, "MY_HOME", tok.raw))
        elif _is_particular(out):
            out.append(Token(CONCEPT, "THE_HOME", tok.raw))
        else:
            out.append(Token(FILLER, "PROPERTY", tok.raw))
    return out


def _is_mine(before: list[Token]) -> bool:
    """"my house", "our current place", "my old house"."""
    k = len(before) - 1
    while k >= 0 and before[k].raw in _PROPERTY_ADJECTIVES:
        k -= 1
    return k >= 0 and before[k].kind is DETERMINER and before[k].value == "my"


def _is_particular(before: list[Token]) -> bool:
    """"the house", "the oak hill drive listing", "the 2br rental property"."""
    k, steps = len(before) - 1, 0
    while k >= 0 and steps < 4 and (before[k].kind in (WORD, FILLER, SLOT) or before[k].kind is CONCEPT and
                                    before[k].value in _PROPERTY_MODIFIERS):
        k, steps = k - 1, steps + 1
    return k >= 0 and before[k].kind is DETERMINER and before[k].value == "the"


def _join_words(toks: list[Token]) -> list[Token]:
    """Adjacent unknown words form one term: "round rock", "oak hill drive" (order kept, so exact).
    A name after "from" keeps the direction: moving from Dallas is not moving to Dallas."""
    out: list[Token] = []
    for tok in toks:
        if tok.kind is WORD and out and out[-1].kind is WORD:
            out[-1] = Token(WORD, out[-1].value + " " + tok.value, out[-1].raw + " " + tok.raw)
        else:
            out.append(tok)
    for k, tok in enumerate(out):
        if tok.kind is WORD:
            j = k - 1
            while j >= 0 and out[j].kind is DETERMINER:
                j -= 1
            if j >= 0 and out[j].raw == "from":
                out[k] = Token(WORD, "from " + tok.value, tok.raw)
    return out


def _planned_states(toks: list[Token]) -> list[Token]:
    """"we need to get pre-approved" is PLAN_PREAPPROVED, not PREAPPROVED: a plan does not make a state true."""
    out: list[Token] = []
    for tok in toks:
        if tok.kind is CONCEPT and tok.value in _PLANNED_STATES:
            k = len(out) - 1
            while k >= 0 and (out[k].kind is DETERMINER or out[k].raw in _BECOMING_WORDS):
                k -= 1
            if k >= 0 and out[k].kind is FILLER and out[k].raw in _INTENDING_WORDS:
                tok = Token(CONCEPT, "PLAN_" + tok.value, tok.raw)
        out.append(tok)
    return out


def _negation(toks: list[Token]) -> list[Token]:
    """A negator marks the next content term of its clause ("not pre-approved", "tuesday doesnt work",
    "no kids"); "no" as an answer (followed by a pronoun, a comma, or nothing) is the answer NO."""
    out: list[Token] = []
    pending = None  # CLAUSE_SCOPE or NOUN_SCOPE while a negator waits for its term
    for tok in toks:
        if tok.kind is NEGATOR:
            if pending is not None:
                out.append(_answer_no())  # "no, not yet": the first one was an answer
            pending = tok.value
            continue
        if pending is None:
            out.append(tok)
        elif tok.kind in _CONTENT and not (tok.kind is CONCEPT and tok.value in _NEVER_NEGATED):
            out.append(Token(tok.kind, tok.value, tok.raw, negated=True))
            # "doesn't need repairs": the wanted thing is negated too
            pending = CLAUSE_SCOPE if tok.kind is CONCEPT and tok.value in _NEGATION_CARRIES_PAST else None
        elif tok.kind in _CONTENT:
            out.append(tok)  # passed over: the negation waits for the next term
        else:
            if tok.kind is BOUNDARY or (pending == NOUN_SCOPE and not (
                    tok.kind in (FILLER, DETERMINER) and tok.raw in _NOUN_PHRASE_WORDS)):
                out.append(_answer_no())  # nothing to negate in the clause: an answer
                pending = None
            out.append(tok)
    if pending is not None:
        out.append(_answer_no())
    return out


def _answer_no() -> Token:
    return Token(CONCEPT, "NO", "no")
