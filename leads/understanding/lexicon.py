"""The phrase lexicon, built from the data files, and the look-up that turns normalised text into tokens.

Every phrase maps to one Meaning (a token kind and a value). Phrases are matched longest first, so "first time
buyer" wins over "buyer" and "no more than" over "no". A phrase listed twice keeps the meaning of the table
read first: units, qualifiers, concepts, days, months, seasons, ordinals, ambiguous words, then the function
words, fillers last.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from .data import DataError, load
from .tokens import (AMBIGUOUS, BOUNDARY, CLAUSE_SCOPE, CONCEPT, DAY, DETERMINER, FILLER, MONTH, NEGATOR,
                     NOUN_SCOPE, NUMBER, ORDINAL, PROPERTY_NOUN, QUALIFIER, REFERENCE, SEASON, SYMBOL, UNIT, WORD,
                     Kind, Token)

CONCEPTS = load("concepts.toml")
WORDS = load("words.toml")
QUANTITIES = load("quantities.toml")
CALENDAR = load("calendar.toml")


class Meaning(NamedTuple):
    kind: Kind
    value: object


Lexicon = dict[tuple[str, ...], Meaning]


def _build(with_qualifiers: bool) -> Lexicon:
    lexicon: Lexicon = {}

    def add(phrases, kind, value):
        for phrase in phrases:
            lexicon.setdefault(tuple(phrase.split()), Meaning(kind, value))

    for unit, phrases in QUANTITIES["units"].items():
        add(phrases, UNIT, unit)
    for qualifier, phrases in QUANTITIES["qualifiers"].items() if with_qualifiers else ():
        add(phrases, QUALIFIER, qualifier)
    for name, phrases in CONCEPTS.items():
        add(phrases, CONCEPT, name)
    for kind, table in ((DAY, "days"), (MONTH, "months"), (SEASON, "seasons")):
        for value, phrases in CALENDAR[table].items():
            add(phrases, kind, value)
    for word, position in CALENDAR["ordinals"].items():
        add((word,), ORDINAL, position)
    for word, reading in WORDS["ambiguous"].items():
        add((word,), AMBIGUOUS, reading)
    add(WORDS["property_nouns"], PROPERTY_NOUN, None)
    add(WORDS["possessives"], DETERMINER, "my")
    add(WORDS["definites"], DETERMINER, "the")
    add(WORDS["indefinites"], DETERMINER, "a")
    add(WORDS["references"], REFERENCE, None)
    add(WORDS["clause_negators"], NEGATOR, CLAUSE_SCOPE)
    add(WORDS["noun_negators"], NEGATOR, NOUN_SCOPE)
    add(WORDS["boundaries"], BOUNDARY, None)
    add(WORDS["fillers"], FILLER, None)
    return lexicon


def _by_first_word(lexicon: Lexicon) -> dict[str, list[tuple[str, ...]]]:
    """The phrases that start with each word, longest first."""
    index: dict[str, list[tuple[str, ...]]] = {}
    for phrase in lexicon:
        index.setdefault(phrase[0], []).append(phrase)
    for phrases in index.values():
        phrases.sort(key=len, reverse=True)
    return index


_QUALIFIER_PHRASES = {phrase for phrases in QUANTITIES["qualifiers"].values() for phrase in phrases}
if not QUANTITIES["postfix_qualifiers"] <= _QUALIFIER_PHRASES:
    raise DataError("leads/understanding/data/quantities.toml: postfix_qualifiers: "
                    f"{', '.join(sorted(QUANTITIES['postfix_qualifiers'] - _QUALIFIER_PHRASES))} not in [qualifiers]")

LEXICON = _build(with_qualifiers=True)
_FIRST_WORDS = _by_first_word(LEXICON)
# The lexicon without the qualifier reading, for a qualifier no number claims ("close to downtown",
# "send it over", "max" as a name).
PLAIN_LEXICON = _build(with_qualifiers=False)
_PLAIN_FIRST_WORDS = _by_first_word(PLAIN_LEXICON)

# Upper-case markers come from idioms (" HOME_VALUE ", " ORD_15 "); the text itself is lower case by then.
_TOKEN = re.compile(r"(?P<mark>[A-Z][A-Z_0-9]*)|(?P<num>\d+(?:,\d{3})+(?:\.\d+)?|\d*\.\d+|\d+)"
                    r"|(?P<word>[a-z][a-z0-9]*)|(?P<sym>[$%+/\-:?!.,;@#~])")
_ORDINAL_MARK = "ORD_"
_SYMBOLS = {"?": BOUNDARY, "!": BOUNDARY, ".": BOUNDARY, ",": BOUNDARY, ";": BOUNDARY}


def read_tokens(text: str, plain: bool = False) -> list[Token]:
    """The tokens of normalised text: each phrase of the lexicon (longest match first), each number, symbol
    and idiom marker; an unknown word stands for itself."""
    lexicon, first_words = (PLAIN_LEXICON, _PLAIN_FIRST_WORDS) if plain else (LEXICON, _FIRST_WORDS)
    raw = [(m.lastgroup, m.group(0)) for m in _TOKEN.finditer(text)]
    words = tuple(value if group == "word" else None for group, value in raw)
    out: list[Token] = []
    i = 0
    while i < len(raw):
        group, value = raw[i]
        if group != "word":
            out.append(_NUMBER_MARK_OR_SYMBOL[group](value))
            i += 1
            continue
        for phrase in first_words.get(value, ()):  # longest first
            if words[i:i + len(phrase)] == phrase:
                break
        else:
            out.append(Token(WORD, stem(value), value))
            i += 1
            continue
        kind, meaning = lexicon[phrase]
        if kind is CONCEPT and " " in meaning:  # one phrase, several concepts ("cash buyer": CASH and BUY)
            out.extend(Token(CONCEPT, name, " ".join(phrase)) for name in meaning.split())
        else:
            out.append(Token(kind, meaning, " ".join(phrase)))
        i += len(phrase)
    return out


def _number(value: str) -> Token:
    return Token(NUMBER, float(value.replace(",", "")), value)


def _mark(value: str) -> Token:
    if value.startswith(_ORDINAL_MARK):
        return Token(ORDINAL, int(value[len(_ORDINAL_MARK):]), value)
    return Token(CONCEPT, value, value)


def _symbol(value: str) -> Token:
    if value in _SYMBOLS:
        return Token(BOUNDARY, value, value)
    if value == "%":
        return Token(UNIT, "pct", value)
    if value == "~":
        return Token(QUALIFIER, "approx", value)
    return Token(SYMBOL, value, value)


_NUMBER_MARK_OR_SYMBOL = {"num": _number, "mark": _mark, "sym": _symbol}


_DOUBLED_IN_STEMS = frozenset("lsz")  # letters English doubles in the stem itself ("sell", "pass", "buzz")


def stem(word: str) -> str:
    """Light stemming of a word the lexicon does not know: plurals, -ing (with the consonant it doubles) and a
    silent e, never the past tense -ed ("ends" = "end", but "ended" stays different)."""
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 4 and word.endswith("sses"):
        word = word[:-2]
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if len(word) > 5 and word.endswith("ing"):
        word = word[:-3]
        if len(word) > 3 and word[-1] == word[-2] and word[-1] not in _DOUBLED_IN_STEMS:
            word = word[:-1]  # "running" is "run", "shopping" "shop"; "selling", "passing" keep theirs
    if len(word) > 4 and word.endswith("e") and not word.endswith(("ee", "ie")):
        word = word[:-1]  # a silent e: "figure" and "figuring" are one word
    return word
