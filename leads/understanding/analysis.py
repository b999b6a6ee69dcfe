"""Analysis of the message itself: its terms in order, the places it names, whether it asks something."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .areas import areas
from .data import load
from .keywords import OPT_OUT_MESSAGES
from .lexicon import read_tokens
from .normalise import normalise
from .question import Question
from .slots import Slot
from .structure import structure, terms
from .tokens import SLOT

_QUESTION = load("question.toml")
_WH_WORDS = _QUESTION["wh_words"]
_MESSAGE_OPENERS = _QUESTION["message_openers"]
_INVERTED_AUXILIARIES = _QUESTION["inverted_auxiliaries"]
_SUBJECTS = _QUESTION["subjects"]
_CLAUSES = re.compile(r"[,.;:!?\-]|\b(?:and|but|so)\b")
_LETTERS = re.compile(r"[a-z]+")
_WORDS_AND_NUMBERS = re.compile(r"[a-z0-9]+")
MAX_WORDS = 60      # of a message without any known term, kept as its fingerprint
MAX_RAW_CHARS = 80  # of a message without words (emoji only), likewise


@dataclass
class Analysis:
    terms: list[str]      # in order of appearance; "!" marks a negated term, "~" a cue (see structure.terms)
    areas: list[str]      # places the text names (zip codes, names after "in", "near", ...)
    asks: bool            # the message asks something (wh-word or an inverted yes/no question)
    words: tuple = ()     # the normalised words, the fingerprint of a message without any known term
    raw: str = ""         # the stripped text, for a message without words (emoji only)
    slots: dict[str, Slot] = field(default_factory=dict)  # each slot term's value, for the facts


def analyse(text: str, question: Question) -> Analysis:
    normal = normalise(text)
    toks = structure(read_tokens(normal), question.asks_unit, money_context=question.asks_unit == "money")
    found = terms(toks)
    asks = message_asks(normal)
    if asks:
        found.append("ASK")
    words = tuple(_WORDS_AND_NUMBERS.findall(normal.lower()))
    if words in OPT_OUT_MESSAGES:
        found = ["OPT_OUT"]  # carrier keywords, as the whole message
    raw = " ".join(text.split()).lower()[:MAX_RAW_CHARS].replace(",", " ").replace("|", " ")
    slots = {tok.value.term: tok.value for tok in toks if tok.kind is SLOT}
    return Analysis(terms=found, areas=areas(toks, question.text), asks=asks, words=words[:MAX_WORDS], raw=raw,
                    slots=slots)


def message_asks(normal: str) -> bool:
    """An information question: a wh-word ("what's my home worth") or an inverted yes/no question
    ("is the condo still available") opening a clause. Requests ("can you call me") are not questions."""
    for clause in _CLAUSES.split(normal):
        words = _WORDS_AND_NUMBERS.findall(clause)  # a clause opening with a number ("78704 is the zip") asks nothing
        while words and words[0] in _MESSAGE_OPENERS:
            words = words[1:]
        if not words:
            continue
        if words[0] in _WH_WORDS and not (words[0] == "how" and len(words) > 1 and words[1] == "about"):
            return True
        if words[0] in _INVERTED_AUXILIARIES and len(words) > 1 and words[1] in _SUBJECTS:
            return True
    return False
