"""Tokens: one piece of the normalised text, what kind of thing it is, and what it means.

The lexicon gives every phrase its first kind (lexicon.py); later stages rewrite tokens: numbers with their
units become slots (numbers.py, quantity.py), ambiguous words become concepts or fillers, property nouns
become MY_HOME or THE_HOME, and a negator marks the token it negates (structure.py).
"""

from __future__ import annotations

from enum import Enum


class Kind(Enum):
    CONCEPT = "concept"              # a meaning of the lexicon or an idiom; value: its name ("PREAPPROVED")
    WORD = "word"                    # a word the lexicon does not know; value: lightly stemmed ("round rock")
    FILLER = "filler"                # no fact on its own; value None, or "PROPERTY" for "a house" (a cue)
    NEGATOR = "negator"              # value: CLAUSE_SCOPE ("not", "never") or NOUN_SCOPE ("no")
    BOUNDARY = "boundary"            # ends a clause: punctuation, "and", "but", "or" ...
    QUALIFIER = "qualifier"          # value: "max", "min" or "approx", until a number claims it
    UNIT = "unit"                    # value: "k", "bed", "month", "pm" ..., until a number claims it
    NUMBER = "number"                # value: the number (float)
    SYMBOL = "symbol"                # value: "$", "+", "/", ":", "-", "#", "@"
    DAY = "day"                      # value: "tue", "today" ...
    MONTH = "month"                  # value: "jun" ...
    SEASON = "season"                # value: "summer" ...
    ORDINAL = "ordinal"              # value: a position in a list (int), -1 for the last
    DETERMINER = "determiner"        # value: "my", "the" or "a"
    PROPERTY_NOUN = "property noun"  # "house", "place", "listings" (value None)
    REFERENCE = "reference"          # "one", "it", "them": points back at the question (value None)
    RELATIVE = "relative"            # value: "next", "last" or "this", before a time unit, day or season
    AMBIGUOUS = "ambiguous"          # needs its neighbours; value: the reading to apply ("LISTING", "MAY")
    SLOT = "slot"                    # value: a slots.Slot (an amount, a count, a time, a place ...)


# The members as module names. On Python 3.11 every `Kind.X` goes through EnumType.__getattr__ and costs about
# six global look-ups; the engine tests kinds hundreds of times per message, on every cache look-up.
CONCEPT = Kind.CONCEPT
WORD = Kind.WORD
FILLER = Kind.FILLER
NEGATOR = Kind.NEGATOR
BOUNDARY = Kind.BOUNDARY
QUALIFIER = Kind.QUALIFIER
UNIT = Kind.UNIT
NUMBER = Kind.NUMBER
SYMBOL = Kind.SYMBOL
DAY = Kind.DAY
MONTH = Kind.MONTH
SEASON = Kind.SEASON
ORDINAL = Kind.ORDINAL
DETERMINER = Kind.DETERMINER
PROPERTY_NOUN = Kind.PROPERTY_NOUN
REFERENCE = Kind.REFERENCE
RELATIVE = Kind.RELATIVE
AMBIGUOUS = Kind.AMBIGUOUS
SLOT = Kind.SLOT

# The reach of a negator: the next content term of the clause, or only the noun phrase right after "no".
CLAUSE_SCOPE = "clause"
NOUN_SCOPE = "noun"


class Token:
    __slots__ = ("kind", "value", "raw", "negated")

    def __init__(self, kind: Kind, value, raw: str = "", negated: bool = False):
        self.kind = kind
        self.value = value
        self.raw = raw          # the text it was read from, for rules that look at the words themselves
        self.negated = negated

    def __repr__(self):  # debugging aid
        return f"{'!' if self.negated else ''}{self.kind.name}:{self.value}"
