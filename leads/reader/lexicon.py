"""The reader's data (data/*.toml), loaded once and compiled: every list of patterns becomes one regular
expression matching any of them as whole words."""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path

from leads.reader.text import fold_accents

DATA = Path(__file__).resolve().parent / "data"
BOUNDARY_BEFORE = r"(?<![a-z0-9ñ])"
BOUNDARY_AFTER = r"(?![a-z0-9ñ])"


class LexiconError(ValueError):
    """A data file is missing, unreadable or holds a pattern that does not compile; names the file and key."""


@lru_cache(maxsize=None)
def table(name: str) -> dict:
    path = DATA / f"{name}.toml"
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise LexiconError(f"{path}: {exc}") from exc


def any_of(patterns: list[str], *, source: str = "", whole_words: bool = True) -> re.Pattern:
    """One expression matching any of `patterns` (as whole words unless told otherwise), longest first."""
    ordered = sorted(patterns, key=len, reverse=True)
    body = "(?:" + "|".join(ordered) + ")"
    try:
        return re.compile(BOUNDARY_BEFORE + body + BOUNDARY_AFTER if whole_words else body, re.MULTILINE)
    except re.error as exc:
        raise LexiconError(f"{source or 'patterns'}: {exc}") from exc


@lru_cache(maxsize=None)
def patterns(name: str, *keys: str) -> re.Pattern:
    """The compiled patterns at `keys` in data/<name>.toml, e.g. patterns("lexicon", "handoff", "wants_human")."""
    node = table(name)
    for key in keys:
        try:
            node = node[key]
        except (KeyError, TypeError) as exc:
            raise LexiconError(f"{DATA / (name + '.toml')}: no [{'.'.join(keys)}]") from exc
    if isinstance(node, dict) and "words" in node:
        node = node["words"]
    if not isinstance(node, list):
        raise LexiconError(f"{DATA / (name + '.toml')}: [{'.'.join(keys)}] is not a list of patterns")
    # A file may say `whole_words = false` when its patterns mark their own edges (markup, key=value).
    return any_of(node, source=f"{name}.toml [{'.'.join(keys)}]", whole_words=table(name).get("whole_words", True))


@lru_cache(maxsize=None)
def common_words() -> frozenset[str]:
    """Everyday words, each also without its accents ("días" is "dias", "perdón" is "perdon")."""
    return _with_folded(table("common_words")["words"].split())


def _with_folded(words: list[str]) -> frozenset[str]:
    return frozenset(words) | {fold_accents(word) for word in words}


def is_common(word: str) -> bool:
    """An everyday word, however its accents are typed ("días", "dias"); a hyphenated word is one when each of its
    parts is ("pre-approved", "move-in"), while a place such as "Winston-Salem" is not."""
    if word in common_words() or fold_accents(word) in common_words():
        return True
    parts = [part for part in word.split("-") if part]
    return len(parts) > 1 and all(part in common_words() or fold_accents(part) in common_words() for part in parts)


def is_function_word(word: str) -> bool:
    return word in function_words() or fold_accents(word) in function_words()


def section(name: str, key: str) -> dict:
    try:
        return table(name)[key]
    except KeyError as exc:
        raise LexiconError(f"{DATA / (name + '.toml')}: no [{key}]") from exc


@lru_cache(maxsize=None)
def function_words() -> frozenset[str]:
    return _with_folded(table("common_words")["function_words"].split())


def _word_list(filename: str) -> frozenset[str]:
    """A data file of one entry per line, "#" lines being comments."""
    lines = (DATA / filename).read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=None)
def first_names() -> frozenset[str]:
    return _word_list("first_names.txt")


@lru_cache(maxsize=None)
def us_places() -> frozenset[str]:
    """US cities and towns by name (data/us_places.txt), lowercased with abbreviation points as spaces."""
    return _word_list("us_places.txt")
