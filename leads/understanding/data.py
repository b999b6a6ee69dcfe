"""The package's tables: data/*.toml, read with tomllib once (at import) and checked against the shapes below.

A file that does not parse, lacks a key, has a key nothing reads, or holds a value of the wrong shape stops the
import with a DataError naming the file and the key, instead of quietly changing what messages mean. Concept
names in the rule tables must be concepts the lexicon or an idiom can produce, so a misspelt name fails here
rather than never matching.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"

# Concepts the engine makes itself rather than reading them from the lexicon: property noun phrases
# (structure.py) and a message that asks something (analysis.py).
ENGINE_CONCEPTS = frozenset({"MY_HOME", "THE_HOME", "ASK"})

UNIT_NAMES = frozenset({"k", "m", "pct", "am", "pm", "oclock", "bed", "bath", "day", "week", "month", "year",
                        "sqft", "acre"})
QUALIFIER_NAMES = frozenset({"max", "min", "approx"})


class DataError(ValueError):
    """A data file of leads/understanding/data is missing, malformed, or has a value of the wrong shape."""


Check = Callable[[Any, str], Any]  # (the value as parsed, "file: key") -> the value the engine uses

_PHRASE = re.compile(r"[a-z0-9]+(?: [a-z0-9]+)*")
_CONCEPT_NAME = re.compile(r"[A-Z][A-Z_]*")
_CONCEPT_KEY = re.compile(r"[A-Z][A-Z_]*(?: [A-Z][A-Z_]*)*")
_NAME = re.compile(r"[a-z][a-z_]*")
_MARKER = re.compile(r"\b[A-Z][A-Z_]*[A-Z]\b")


def fail(where: str, problem: str):
    raise DataError(f"{where}: {problem}")


def child(where: str, key) -> str:
    """"file.toml: key.subkey": where a value sits, for error messages."""
    return f"{where}.{key}" if ": " in where else f"{where}: {key}"


def _array(value, where: str) -> list:
    if not isinstance(value, list) or not value:
        fail(where, f"expected a non-empty array, got {value!r}")
    return value


def _table(value, where: str) -> dict:
    if not isinstance(value, dict) or not value:
        fail(where, f"expected a non-empty table, got {value!r}")
    return value


# ---- checks of single values ----------------------------------------------------------------------------------

def phrases(value, where: str) -> tuple[str, ...]:
    """Lexicon phrases: lower-case words separated by single spaces, in the order given."""
    return tuple(phrase(item, f"{where}[{i}]") for i, item in enumerate(_array(value, where)))


def phrase(value, where: str) -> str:
    if not isinstance(value, str) or not _PHRASE.fullmatch(value):
        fail(where, f"{value!r} is not lower-case words separated by single spaces")
    return value


def ordered_words(value, where: str) -> tuple[str, ...]:
    """Words compared with the text's own: lower case, no outer spaces (symbols such as "#" allowed)."""
    for i, item in enumerate(_array(value, where)):
        if not isinstance(item, str) or not item or item != item.strip() or item != item.lower():
            fail(f"{where}[{i}]", f"{item!r} is not a trimmed lower-case word")
    return tuple(value)


def words(value, where: str) -> frozenset[str]:
    return frozenset(ordered_words(value, where))


def words_in(allowed: frozenset[str]) -> Check:
    """Words that must be among `allowed` (unit names the code reads, for instance)."""
    def check(value, where):
        result = words(value, where)
        if not result <= allowed:
            fail(where, f"{', '.join(sorted(result - allowed))}: expected only {', '.join(sorted(allowed))}")
        return result
    return check


def substrings(value, where: str) -> tuple[str, ...]:
    """Any non-empty strings, in order (idiom guards, term prefixes)."""
    for i, item in enumerate(_array(value, where)):
        if not isinstance(item, str) or not item:
            fail(f"{where}[{i}]", f"expected a non-empty string, got {item!r}")
    return tuple(value)


def characters(value, where: str) -> tuple[str, ...]:
    for i, item in enumerate(_array(value, where)):
        if not isinstance(item, str) or len(item) != 1:
            fail(f"{where}[{i}]", f"expected a single character, got {item!r}")
    return tuple(value)


def text(value, where: str) -> str:
    if not isinstance(value, str):
        fail(where, f"expected a string, got {value!r}")
    return value


def integer(value, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        fail(where, f"expected an integer, got {value!r}")
    return value


def regex(value, where: str) -> str:
    """A regular expression: a string, or an array of strings joined without separator (to wrap long ones)."""
    if isinstance(value, list):
        pattern = "".join(text(piece, f"{where}[{i}]") for i, piece in enumerate(_array(value, where)))
    else:
        pattern = text(value, where)
    compile_pattern(pattern, where)  # a {fragment} of idioms.toml compiles too, as literal text
    return pattern


def compile_pattern(pattern: str, where: str) -> re.Pattern:
    try:
        return re.compile(pattern)
    except re.error as exc:
        fail(where, f"not a valid regular expression ({exc}): {pattern!r}")


def one_of(*choices: str) -> Check:
    def check(value, where):
        if value not in choices:
            fail(where, f"expected one of {', '.join(map(repr, choices))}, got {value!r}")
        return value
    return check


def concept(value, where: str) -> str:
    """A concept name the engine can produce; "!NAME" is the negated term."""
    name = text(value, where)
    if not _CONCEPT_NAME.fullmatch(name.removeprefix("!")):
        fail(where, f"{name!r} is not an upper-case concept name")
    if name.removeprefix("!") not in known_concepts():
        fail(where, f"{name!r}: no concept of that name in concepts.toml or idioms.toml")
    return name


def concepts(value, where: str) -> frozenset[str]:
    return frozenset(concept(item, f"{where}[{i}]") for i, item in enumerate(_array(value, where)))


# ---- checks of tables -----------------------------------------------------------------------------------------

def mapping(keys: re.Pattern | frozenset | Check, values: Check) -> Check:
    """A table, its order kept. keys: a pattern every key must match, the exact set of keys, or a check."""
    def check(value, where):
        result = {}
        for key, item in _table(value, where).items():
            if isinstance(keys, re.Pattern) and not keys.fullmatch(key):
                fail(child(where, key), f"key {key!r} does not match {keys.pattern!r}")
            elif callable(keys) and not isinstance(keys, re.Pattern):
                keys(key, child(where, key))
            result[key] = values(item, child(where, key))
        if isinstance(keys, frozenset) and set(result) != keys:
            fail(where, f"expected exactly the keys {sorted(keys)}, got {sorted(result)}")
        return result
    return check


def section(schema: dict[str, Check]) -> Check:
    def check(value, where):
        return _checked(_table(value, where), schema, where)
    return check


def array_of(schema: dict[str, Check]) -> Check:
    def check(value, where):
        return tuple(section(schema)(item, f"{where}[{i}]") for i, item in enumerate(_array(value, where)))
    return check


def _checked(document: dict, schema: dict[str, Check], where: str) -> dict:
    missing = [key for key in schema if key not in document]
    unknown = [key for key in document if key not in schema]
    if missing:
        fail(where, f"missing {', '.join(missing)}")
    if unknown:
        fail(where, f"unknown key {', '.join(unknown)} (nothing reads it: a typo?)")
    return {key: schema[key](document[key], child(where, key)) for key in schema}


# ---- the files ------------------------------------------------------------------------------------------------

_COMPARISON = one_of("=", "<", ">")
_GUARDED_PATTERN = {"guards": substrings, "pattern": regex}

SCHEMAS: dict[str, Check | dict[str, Check]] = {
    "concepts.toml": mapping(_CONCEPT_KEY, phrases),
    "words.toml": {
        "fillers": phrases, "clause_negators": phrases, "noun_negators": phrases, "property_nouns": phrases,
        "possessives": phrases, "definites": phrases, "indefinites": phrases, "references": phrases,
        "boundaries": phrases, "ambiguous": mapping(_PHRASE, text),
    },
    "quantities.toml": {
        "postfix_qualifiers": words, "number_words": mapping(_NAME, integer),
        "thousand_or_million": section({"words": words, "thousand_from": integer}),
        "one_before_unit": section({"pattern": regex}),
        "comparisons": mapping(QUALIFIER_NAMES, one_of("<=", ">=", "=")),
        "qualifiers": mapping(QUALIFIER_NAMES, phrases), "units": mapping(UNIT_NAMES, phrases),
    },
    "calendar.toml": {
        "days": mapping(_NAME, phrases), "months": mapping(_NAME, phrases), "seasons": mapping(_NAME, phrases),
        "ordinals": mapping(_PHRASE, integer), "ordinal_terms": mapping(re.compile(r"-?[0-9]+"), text),
    },
    "spelling.toml": {
        "extra_typo_targets": words, "inflection_suffixes": ordered_words,
        "abbreviations": mapping(re.compile(r"[a-z][a-z0-9]*"), phrase),
        "synonyms": mapping(re.compile(r"[a-z]+"), phrase),
        "digit_words": section({"digits": mapping(re.compile(r"[0-9]"), phrase), "before": words}),
        "digit_spellings": mapping(re.compile(r"[0-9][a-z0-9]*[a-z][a-z0-9]*"), phrase),
        "sound_alike": mapping(re.compile(r"[a-z]{0,2}"), ordered_words),
    },
    "characters.toml": {
        "emoji_yes": characters, "emoji_no": characters, "apostrophe_s_is": ordered_words,
        "quotes": mapping(lambda key, where: characters([key], where), text),
        "contractions": section({"words": mapping(lambda key, where: text(key, where), text),
                                 "endings": mapping(lambda key, where: text(key, where), text)}),
    },
    "idioms.toml": {
        "fragments": mapping(_NAME, text), "hypothetical_sale": section(_GUARDED_PATTERN),
        "idioms": array_of({**_GUARDED_PATTERN, "replacement": text}),
    },
    "question.toml": {
        "auxiliaries": words, "lead_in_words": words, "yes_no_closers": words, "offer_phrases": ordered_words,
        "counted_units": words_in(UNIT_NAMES), "money_words": words, "never_restated": concepts, "wh_words": words,
        "message_openers": words, "inverted_auxiliaries": words, "subjects": words,
        "how_many_words": words,
    },
    "structure.toml": {
        "planned_states": concepts, "becoming_words": words, "intending_words": words, "listing_objects": words,
        "list_noun_after": words,
        "fits_before": words, "may_month_after": words, "desire_hedge_before": words,
        "property_adjectives": words, "property_modifiers": concepts, "noun_phrase_words": words,
        "never_negated": concepts, "negation_carries_past": concepts,
    },
    "numbers.toml": {
        "relative_units": words_in(UNIT_NAMES), "count_units": words_in(UNIT_NAMES),
        "relative_concepts": concepts, "option_nouns": words, "per_month_words": words, "zip_prepositions": words,
        "countable": concepts, "money_concepts": concepts, "money_words": words, "range_openers": words,
        "range_joiners": words, "range_to": words, "year_prepositions": words, "room_units": words_in(UNIT_NAMES), "part_of_day_links": words,
        "part_of_day": mapping(concept, one_of("am", "pm")),
        "days_per_unit": mapping(frozenset({"day", "week"}), integer),
        "time_prepositions": mapping(lambda key, where: ordered_words([key], where), _COMPARISON),
        "time_concepts": mapping(concept, _COMPARISON),
    },
    "areas.toml": {
        "street_suffixes": words, "located_prepositions": words, "moving_concepts": concepts,
        "area_question_words": ordered_words,
    },
    "groups.toml": {
        "roles": concepts, "financing_statuses": concepts, "property_types": concepts,
        "information_requests": concepts, "appointments": concepts,
    },
    "resolve.toml": {
        "implied_no": concepts, "order_forward": concepts, "order_backward": concepts, "not_events": concepts,
        "own_home_roles": concepts, "said_by_asap": concepts, "property_slot_prefixes": substrings,
        "want_not_buying": concepts, "want_absorbed_by": concepts, "opt_out_only": concepts,
        "opt_out_triggers": concepts, "ordered_measures": words, "weightless": concepts,
        "binding_events": concepts, "bound_slot_prefixes": substrings,
        "planned_actions": mapping(re.compile(r"[A-Z][A-Z_]*"), concept), "loans_of_a_status": concepts,
        "said_by": mapping(concept, concepts),
    },
    "intent.toml": {
        "question_topics": concepts, "refusal_company": concepts, "meeting_offers": concepts,
        "plans_not_appointments": concepts, "seller_concepts": concepts,
    },
    "facts.toml": {
        "selling_concepts": concepts, "negated_budget": concepts, "own_roles": concepts,
        "condition_states": concepts, "property_type": mapping(concept, text), "financing": mapping(concept, text),
        "motivation": mapping(concept, text), "condition": mapping(concept, text),
    },
    "canonical.toml": {
        "version": text, "not_expanded": words, "kept_punctuation": characters, "kept_between_digits": characters,
        "own_words": characters, "acknowledgements": substrings,
    },
    "fingerprint.toml": {
        "version": text, "parts": ordered_words, "polarity": concepts, "slot_prefixes": substrings,
    },
    "keywords.toml": {
        "opt_out": words, "opt_in": words, "opt_in_when_opted_out": words, "help": words,
        "extractor": section({"opt_out_except": words, "opt_out_with_please": words}),
    },
}


@cache
def load(name: str) -> Mapping[str, Any]:
    """The checked contents of data/<name>, read once."""
    path = DATA_DIR / name
    where = f"leads/understanding/data/{name}"
    if name not in SCHEMAS:
        fail(where, "no schema for this file in leads/understanding/data.py")
    try:
        with open(path, "rb") as handle:
            document = tomllib.load(handle)
    except FileNotFoundError:
        fail(where, "file not found")
    except tomllib.TOMLDecodeError as exc:
        fail(where, f"not valid TOML: {exc}")
    schema = SCHEMAS[name]
    checked = schema(document, where) if callable(schema) else _checked(document, schema, where)
    return MappingProxyType(checked)


@cache
def known_concepts() -> frozenset[str]:
    """Every concept a token can carry: the lexicon's, the idioms' upper-case markers, the engine's own."""
    names = {part for key in load("concepts.toml") for part in key.split()}
    idioms = load("idioms.toml")["idioms"]
    names |= {marker for idiom in idioms for marker in _MARKER.findall(idiom["replacement"])}
    return frozenset(names | ENGINE_CONCEPTS)
