"""Text normalisation before tokens: characters, apostrophes, spelling, number words, idioms.

The result is lower-case text of plain words, digits, a few symbols, and the upper-case concept markers the
idioms write ("YES", "HOME_VALUE", "ORD_15").
"""

from __future__ import annotations

import re
import unicodedata

from .data import DataError, compile_pattern, load
from .lexicon import QUANTITIES
from .spelling import correct_word, digit_spellings, digits_as_words

MAX_INPUT_CHARS = 2000  # SMS bodies are at most 1,600 characters; longer input is cut, never an error

_CHARACTERS = load("characters.toml")
_IDIOMS = load("idioms.toml")
NUMBER_WORDS = QUANTITIES["number_words"]

_QUOTES = str.maketrans(_CHARACTERS["quotes"])
_EMOJI_YES = _CHARACTERS["emoji_yes"]
_EMOJI_NO = _CHARACTERS["emoji_no"]
_NOT_KEPT = re.compile(r"[^a-z0-9$%+/\-:?!.,;@#'&~\s]")
_APOSTROPHE_IS = re.compile(r"\b(" + "|".join(_CHARACTERS["apostrophe_s_is"]) + r")'s\b")
_CONTRACTIONS = (
    [(re.compile(r"\b" + re.escape(word) + r"\b"), full) for word, full in _CHARACTERS["contractions"]["words"].items()]
    + [(re.compile(re.escape(ending) + r"\b"), full) for ending, full in _CHARACTERS["contractions"]["endings"].items()]
    + [(re.compile("'"), "")]  # any apostrophe left: "o'clock", "y'all"
)
_WORD = re.compile(r"(?<![0-9a-z])[a-z][a-z0-9]*")
_WORD_HYPHEN = re.compile(r"(?<=[a-z])-(?=[a-z])|(?<=[0-9])-(?=[a-z])")
_NUMBER_WORD_RUN = re.compile(
    r"\b(?:" + "|".join(NUMBER_WORDS) + r")(?:[\s-]+(?:" + "|".join(NUMBER_WORDS) + r"))*\b")
_UNIT_AFTER_ONE = re.compile(QUANTITIES["one_before_unit"]["pattern"])
_FRAGMENT = re.compile(r"\{([a-z_]+)\}")


def _idiom_table() -> list[tuple[tuple[str, ...], re.Pattern, str]]:
    fragments = _IDIOMS["fragments"]
    idioms = []
    for index, idiom in enumerate(_IDIOMS["idioms"]):
        where = f"leads/understanding/data/idioms.toml: idioms[{index}]"
        for name in _FRAGMENT.findall(idiom["pattern"]):
            if name not in fragments:
                raise DataError(f"{where}.pattern: no fragment {{{name}}} in [fragments]")
        pattern = _FRAGMENT.sub(lambda m: fragments[m.group(1)], idiom["pattern"])
        idioms.append((idiom["guards"], compile_pattern(pattern, f"{where}.pattern"), idiom["replacement"]))
    return idioms


_IDIOM_TABLE = _idiom_table()
_HYPOTHETICAL_SALE = _IDIOMS["hypothetical_sale"]
_IF_SOLD = compile_pattern(_HYPOTHETICAL_SALE["pattern"], "leads/understanding/data/idioms.toml: hypothetical_sale")


def normalise(text: str) -> str:
    text = text[:MAX_INPUT_CHARS]
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))  # "café" is "cafe"
    text = plain_quotes(text.lower())
    for ch in _EMOJI_YES:
        text = text.replace(ch, " yes ")
    for ch in _EMOJI_NO:
        text = text.replace(ch, " no ")
    text = _NOT_KEPT.sub(" ", text)
    text = expand_apostrophes(text)
    text = digit_spellings(text)
    text = _WORD.sub(lambda m: correct_word(m.group(0)), text)
    text = digits_as_words(text)
    text = _WORD_HYPHEN.sub(" ", text)  # "pre-approved", "first-time", "five-bedroom"
    text = _NUMBER_WORD_RUN.sub(_number_run_to_digits, text)
    for guards, pattern, replacement in _IDIOM_TABLE:
        if any(guard in text for guard in guards):
            text = pattern.sub(replacement, text)
    if any(guard in text for guard in _HYPOTHETICAL_SALE["guards"]):
        text = _IF_SOLD.sub(" ", text)  # "what could I get for it if I sold now": hypothetical, not a sale
    return text


def plain_quotes(text: str) -> str:
    """Curly quotes and dashes as their plain forms (characters.toml)."""
    return text.translate(_QUOTES)


def expand_apostrophes(text: str) -> str:
    """Lower-case text's apostrophes resolved: "it's" is "it is", "don't" "do not", a possessive's "'s" dropped,
    any other apostrophe removed (characters.toml). The cache keys' canonical form (canonical.py) uses it too."""
    text = _APOSTROPHE_IS.sub(r"\1 is", text)
    for pattern, replacement in _CONTRACTIONS:
        text = pattern.sub(replacement, text)
    return text


def _number_run_to_digits(match: re.Match) -> str:
    words = match.group(0).replace("-", " ").split()
    if words == ["one"]:
        following = match.string[match.end():match.end() + 12]
        return "1" if _UNIT_AFTER_ONE.match(following) else "one"
    values = [NUMBER_WORDS[w] for w in words]
    if len(values) >= 2 and 100 not in values and values[0] < 20 and values[1] >= 20:
        # spoken prices and years: "three seventy five" = 375, "four fifty" = 450, "nineteen eighty five" = 1985
        return str(values[0] * 100 + sum(values[1:]))
    total = 0
    for value in values:
        total = max(total, 1) * 100 if value == 100 else total + value
    return str(total)
