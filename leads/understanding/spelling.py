"""Spelling: SMS abbreviations, then a conservative typo correction against the lexicon's own words.

Only words the lexicon does not know are corrected, only to a lexicon word one edit away (a letter left out,
two letters swapped, one wrong, one doubled) or written without its vowels ("nxt", "mnth"), and only when that
correction is unambiguous: a wrong correction would make two different messages look the same. Digits used as
words ("4 me", "2 talk") are read as the words they stand for, never before a unit or a count.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .data import load
from .lexicon import LEXICON, QUANTITIES, Meaning
from .tokens import CONCEPT, DAY, MONTH, PROPERTY_NOUN, SEASON, UNIT, WORD

_SPELLING = load("spelling.toml")
ABBREVIATIONS = _SPELLING["abbreviations"]
_INFLECTION_SUFFIXES = _SPELLING["inflection_suffixes"]
_DIGIT_WORDS = _SPELLING["digit_words"]
_SYNONYMS = _SPELLING["synonyms"]
DIGIT_SPELLINGS = _SPELLING["digit_spellings"]
_SOUND_ALIKE = _SPELLING["sound_alike"]
_VOWELS = frozenset("aeiouy")
MIN_SKELETON = 3  # consonants a word written without vowels must keep to be read as a lexicon word

_VOCABULARY = (frozenset(word for phrase in LEXICON for word in phrase) | frozenset(ABBREVIATIONS)
               | frozenset(_SPELLING["synonyms"])
               | frozenset(QUANTITIES["number_words"]))
# Words a typo may be corrected to: the words, four letters or more, of the lexicon's concepts, units, days,
# months, seasons and property nouns (not of its fillers and function words), and the extra targets of
# spelling.toml.
_TYPO_TARGETS = frozenset(
    word for phrase, meaning in LEXICON.items() if meaning.kind in (CONCEPT, UNIT, DAY, MONTH, SEASON, PROPERTY_NOUN)
    for word in phrase if len(word) >= 4
) | _SPELLING["extra_typo_targets"]
# Spanish sound-alike spellings may also be of the lexicon's longer function words ("vamos", "buscando").
_SOUND_ALIKE_TARGETS = _TYPO_TARGETS | frozenset(word for word in _VOCABULARY if len(word) >= 5)
# Each target with one letter left out, for finding the target of a word that is missing one letter.
_DELETES: dict[str, set[str]] = {}
for _target in _TYPO_TARGETS:
    for _i in range(len(_target)):
        _DELETES.setdefault(_target[:_i] + _target[_i + 1:], set()).add(_target)


def _skeleton(word: str) -> str:
    """The word without its vowels after the first letter: "next" and "nxt" are both "nxt"."""
    return word[0] + "".join(ch for ch in word[1:] if ch not in _VOWELS)


_SKELETONS: dict[str, set[str]] = {}
for _target in _TYPO_TARGETS:
    _SKELETONS.setdefault(_skeleton(_target), set()).add(_target)
# "4 me", "2 talk": a lone digit before one of these words is the word it sounds like.
_DIGIT_AS_WORD = re.compile(r"(?<![0-9$.,:/])\b(" + "|".join(map(re.escape, _DIGIT_WORDS["digits"])) + r")\b(?![.,:/][0-9])"
                            r"(?=\s+(?:" + "|".join(map(re.escape, sorted(_DIGIT_WORDS["before"]))) + r")\b)")


_DIGIT_SPELLING = re.compile(r"(?<![0-9a-z$.,:/])(" + "|".join(map(re.escape, DIGIT_SPELLINGS)) + r")(?![0-9a-z])")


def digit_spellings(text: str) -> str:
    """"2morrow", "2day": SMS spellings that start with a digit, as the words they stand for (spelling.toml)."""
    return _DIGIT_SPELLING.sub(lambda m: DIGIT_SPELLINGS[m.group(1)], text)


def digits_as_words(text: str) -> str:
    """"looking 4 a house", "want 2 talk": the digit is "for", "to". Only before words no number counts (a
    determiner, a pronoun, a verb: spelling.toml), so "4 bedrooms" and "2 or 3" stay numbers."""
    return _DIGIT_AS_WORD.sub(lambda m: _DIGIT_WORDS["digits"][m.group(1)], text)


@lru_cache(maxsize=8192)
def correct_word(word: str) -> str:
    """An SMS abbreviation's expansion, a typo's correction, or the word itself. Short words (names like
    "mike") are left alone: four-letter words may only be a transposition or a missing letter, three-letter
    words are never guessed."""
    if word in ABBREVIATIONS:
        return ABBREVIATIONS[word]
    if word in _SYNONYMS:
        return _SYNONYMS[word]
    if word in _VOCABULARY or not word.isalpha():
        return word
    restored = _restored_ending(word)
    if restored:
        return restored
    if len(word) < 4 and not (len(word) == 3 and _skeleton(word) == word):
        return word
    if word[-1] == word[-2] and word[:-1] in _VOCABULARY:
        return word[:-1]  # the last letter typed twice ("approvedd", "bothh")
    plural = _known_plural(word)
    if plural:
        return plural
    if _is_inflection_of_known(word):
        return word
    candidates = _typo_candidates(word) or _sound_alike_candidates(word)
    if not candidates:
        return word
    for fitting in (candidates, {c for c in candidates if len(c) - len(word) <= 1}):
        # Several spellings of one meaning are as good as one; failing that, a word one letter away ("persn":
        # "person") is nearer than one that also lost a vowel ("persona").
        meanings = {LEXICON.get((candidate,), Meaning(WORD, candidate)) for candidate in fitting}
        if len(meanings) == 1:
            return min(fitting)
    return word


def _typo_candidates(word: str) -> set[str]:
    """Lexicon words that word could be a typo of: one letter left out ("hous", "tomorow"), two adjacent
    letters swapped ("tlak", "satruday"), for longer words one letter wrong, a letter typed twice ("bothh"), or
    the vowels left out ("nxt", "agnt"). Another extra letter is not undone ("leander" must not become
    "lender"), and the first letter must be right ("north" is not "worth")."""
    found = set(_DELETES.get(word, ()))
    for i in range(1, len(word)):
        if word[i] == word[i - 1] and word[:i] + word[i + 1:] in _TYPO_TARGETS:
            found.add(word[:i] + word[i + 1:])
    skeleton = _skeleton(word)
    if len(skeleton) >= MIN_SKELETON and len(skeleton) >= len(word) - 1:
        found |= {t for t in _SKELETONS.get(skeleton, ()) if _is_subsequence(word, t)}
    for i in range(len(word) - 1):
        swapped = word[:i] + word[i + 1] + word[i] + word[i + 2:]
        if swapped in _TYPO_TARGETS:
            found.add(swapped)
    if len(word) >= 6:
        for i in range(1, len(word)):
            for target in _DELETES.get(word[:i] + word[i + 1:], ()):
                if len(target) == len(word) and sum(a != b for a, b in zip(target, word)) == 1:
                    found.add(target)
    return {t for t in found if t != word and t[0] == word[0]}


def _restored_ending(word: str) -> str | None:
    """A word missing only its last letter, when exactly one word a typo may be corrected to restores it: the last
    letter doubled ("sel"), a silent e ("remov") or the g of -ing ("relocatin", "mornin"). Three-letter words too,
    since what is added must make such a word. Not to any known word: "quit" is not "quite"."""
    if len(word) < 3:
        return None
    found = {candidate for candidate in (word + word[-1], word + "e", word + "g" if word.endswith("in") else "")
             if candidate in _TYPO_TARGETS}
    return found.pop() if len(found) == 1 else None


def _sound_alike_candidates(word: str) -> set[str]:
    """Lexicon words that one swap of letters that sound alike gives ("bamos" -> "vamos", "yamar" -> "llamar",
    "ablar" -> "hablar"; spelling.toml's [sound_alike])."""
    found = set()
    for written, meant_options in _SOUND_ALIKE.items():
        starts = [0] if not written else [i for i in range(len(word)) if word.startswith(written, i)]
        for i in starts:
            for meant in meant_options:
                candidate = word[:i] + meant + word[i + len(written):]
                if len(candidate) >= 4 and candidate in _SOUND_ALIKE_TARGETS:
                    found.add(candidate)
    return found


def _is_subsequence(short: str, long: str) -> bool:
    letters = iter(long)
    return all(ch in letters for ch in short)


def _is_inflection_of_known(word: str) -> bool:
    for suffix in _INFLECTION_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)]
            if stem in _VOCABULARY or stem + "e" in _VOCABULARY:
                return True
    return False


def _known_plural(word: str) -> str | None:
    """A non-standard plural of a known word ("monthes") as its known plural ("months")."""
    if word.endswith("es") and word[:-2] + "s" in _VOCABULARY and word[:-2] in _VOCABULARY:
        return word[:-2] + "s"
    return None
