"""Prompt injection: texts that impersonate the system or the assistant, carry machine-readable facts, give
orders about scores, flags or rules, ask about other prospects, or hide any of that (encoded, reversed, spaced
out). Such a text sets no fact and triggers nothing; data/injection.toml holds the patterns."""

from __future__ import annotations

from leads.reader.lexicon import patterns
from leads.reader.text import fold_accents, normalise

GROUPS = ("role_tags", "structured_data", "orders", "other_contacts", "encoded")


def injection_kind(text: str) -> str:
    """The first group the text matches (read forwards, then backwards), or "" for an ordinary text."""
    plain = fold_accents(normalise(text))
    # Line starts matter for role labels: keep the original line breaks, normalised line by line.
    lines = "\n".join(fold_accents(normalise(line)) for line in str(text or "").splitlines())
    for candidate in (plain, lines, plain[::-1]):
        for group in GROUPS:
            if patterns("injection", group).search(candidate):
                return group
    return ""


def looks_like_injection(text: str) -> bool:
    return bool(injection_kind(text))
