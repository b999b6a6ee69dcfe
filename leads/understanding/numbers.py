"""Numbers, units and times to slots, over the whole message: each number is read as one quantity
(quantity.py); days, months, seasons and "next year" become slots here. A qualifier or unit that no number
claims falls back to its ordinary meaning ("close to downtown", "k" as in ok).
"""

from __future__ import annotations

from .data import load
from .lexicon import read_tokens, stem
from .quantity import RELATIVE_UNITS, days, read_number, slot_token
from .slots import Measure, Slot, format_number
from .tokens import (CONCEPT, DAY, DETERMINER, FILLER, MONTH, NUMBER, ORDINAL, QUALIFIER, REFERENCE, RELATIVE,
                     SEASON, SLOT, UNIT, WORD, Token)

_NUMBERS = load("numbers.toml")
_RELATIVE_CONCEPTS = _NUMBERS["relative_concepts"]
_OPTION_NOUNS = _NUMBERS["option_nouns"]
_ROOM_UNITS = _NUMBERS["room_units"]
# Keyed by token kind; looked up only once a token is known to be one of these (hashing an Enum member runs
# Python code on 3.11, so kinds are tested with `is` in the loops).
_CALENDAR_MEASURES = {SEASON: Measure.SEASON, MONTH: Measure.MONTH, DAY: Measure.DAY}


def read_slots(toks: list[Token], asked_unit: str | None, money_context: bool) -> list[Token]:
    """Numbers with their units and qualifiers become slots; so do days, months, seasons, relative times.
    asked_unit: what the bot's question asks a bare number in ("bed", "month", "money" ...)."""
    out: list[Token] = []
    i = 0
    while i < len(toks):
        tok = toks[i]
        if tok.kind is RELATIVE or (tok.kind is DETERMINER and tok.raw == "this" and i + 1 < len(toks) and (
                toks[i + 1].kind is UNIT and toks[i + 1].value in RELATIVE_UNITS)):
            i = _relative(toks, i, out)
            continue
        if tok.kind is DAY or tok.kind is MONTH or tok.kind is SEASON:
            i = _calendar(toks, i, out)
            continue
        if tok.kind is UNIT or tok.kind is REFERENCE:
            toks, tok = _implied_number(toks, i, out, asked_unit)
        if tok.kind is NUMBER and out and out[-1].raw in _OPTION_NOUNS and tok.value <= 10:
            out[-1] = Token(ORDINAL, int(tok.value), tok.raw)  # "option 2", "#1"
            i += 1
            continue
        if tok.kind is not NUMBER:
            out.append(tok)  # a qualifier or unit here is resolved below if no number claims it
            i += 1
            continue
        i = read_number(toks, i, out, asked_unit, money_context)
    return _unclaimed(out)


def _implied_number(toks: list[Token], i: int, out: list[Token], asked_unit: str | None) -> tuple[list[Token], Token]:
    """A number the text says without digits: "within a month" (one month), "one" answering "how many
    bedrooms". Returns the tokens with that number in place, and the token at i."""
    tok = toks[i]
    if tok.kind is UNIT and tok.value in RELATIVE_UNITS and out and out[-1].kind is DETERMINER and \
            out[-1].value == "a":
        out.pop()
        tok = Token(NUMBER, 1.0, "1")
        toks = toks[:i] + [tok] + toks[i:]
    if tok.kind is REFERENCE and tok.raw == "one" and asked_unit in ("bed", "bath") and not any(
            t.kind is NUMBER for t in toks):
        tok = Token(NUMBER, 1.0, "one")
        toks = toks[:i] + [tok] + toks[i + 1:]
    return toks, tok


def _calendar(toks: list[Token], i: int, out: list[Token]) -> int:
    tok = toks[i]
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    if tok.kind is MONTH and nxt is not None and (
            nxt.kind is ORDINAL and nxt.value > 0 or nxt.kind is NUMBER and 1 <= nxt.value <= 31):
        out.append(slot_token(Slot(Measure.DATE, name=f"{tok.value}-{format_number(nxt.value)}"), tok.raw))
        return i + 2
    if tok.kind is MONTH and len(out) >= 2 and out[-1].raw in ("of", "de") and out[-2].kind is ORDINAL and \
            out[-2].value > 0:
        day = out[-2].value  # "the first of june" is june 1st
        del out[-2:]
        out.append(slot_token(Slot(Measure.DATE, name=f"{tok.value}-{format_number(day)}"), tok.raw))
        return i + 1
    out.append(slot_token(Slot(_CALENDAR_MEASURES[tok.kind], name=tok.value), tok.raw))
    return i + 1


def _relative(toks: list[Token], i: int, out: list[Token]) -> int:
    """next/this/last + a unit, season, month or day: "next year" (calendar) vs "the next year" (12 months)."""
    tok = toks[i]
    word = "this" if tok.kind is DETERMINER else tok.value
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    definite = bool(out) and out[-1].kind is DETERMINER and out[-1].value == "the"
    if nxt is None:
        out.append(Token(WORD, word, tok.raw))
        return i + 1
    raw = tok.raw + " " + nxt.raw
    if nxt.kind is NUMBER:
        return i + 1  # "the next 30 days": the number makes a duration
    if nxt.kind is UNIT and nxt.value in RELATIVE_UNITS:
        if definite and word == "next":
            out[-1] = slot_token(Slot(Measure.DURATION, low=days(1, nxt.value)), "the next " + nxt.raw)
        else:
            out.append(slot_token(Slot(Measure.RELATIVE, name=f"{word}_{nxt.value}"), raw))
        return i + 2
    if nxt.kind is DAY or nxt.kind is MONTH or nxt.kind is SEASON:
        out.append(slot_token(Slot(_CALENDAR_MEASURES[nxt.kind], name=f"{word}_{nxt.value}"), raw))
        return i + 2
    if nxt.kind is CONCEPT and nxt.value in _RELATIVE_CONCEPTS:
        out.append(slot_token(Slot(Measure.RELATIVE, name=f"{word}_{nxt.value.lower()}"), raw))
        return i + 2
    if nxt.kind is REFERENCE and word == "last":
        out.append(Token(ORDINAL, -1, tok.raw))  # "the last one"
        return i + 1
    out.append(Token(WORD, word, tok.raw))
    return i + 1


def _unclaimed(out: list[Token]) -> list[Token]:
    """Qualifiers and units that no number claimed fall back to their ordinary meaning."""
    final: list[Token] = []
    for tok in out:
        if tok.kind is QUALIFIER:
            final.extend(read_tokens(tok.raw, plain=True))
        elif tok.kind is UNIT:
            final.append(_unit_alone(tok, final[-1] if final else None))
        else:
            final.append(tok)
    return final


def _unit_alone(tok: Token, prev: Token | None) -> Token:
    if tok.value == "k":
        return Token(CONCEPT, "YES", tok.raw)  # "k" = ok
    if tok.value in ("am", "pm"):
        # "fri am" is a morning; "i am" is a verb
        if prev is not None and (prev.kind is SLOT and prev.value.measure is Measure.DAY or prev.raw in ("the", "in")):
            return Token(CONCEPT, "MORNING" if tok.value == "am" else "AFTERNOON", tok.raw)
        return Token(FILLER, None, tok.raw)
    if tok.value in _ROOM_UNITS:
        return Token(WORD, tok.value, tok.raw)  # "updated the bathrooms" and "remodeled the baths": one room
    return Token(WORD, stem(tok.raw.split()[-1]), tok.raw)
