"""The extractor's pipeline end to end: the package's public functions (see the package docstring)."""

from __future__ import annotations

from dataclasses import dataclass

from leads.understanding.analysis import analyse
from leads.understanding.canonical import CANONICAL_VERSION, canonical_question, canonical_text
from leads.understanding.facts import read_facts
from leads.understanding.fingerprints import FINGERPRINT_VERSION, render, signals
from leads.understanding.intent import INTENTS, read_intent
from leads.understanding.normalise import MAX_INPUT_CHARS
from leads.understanding.question import read_question
from leads.understanding.resolve import resolve

__all__ = ["CANONICAL_VERSION", "FINGERPRINT_VERSION", "INTENTS", "MAX_INPUT_CHARS", "Extraction", "canonical_question",
           "canonical_text", "extract", "fingerprint"]


@dataclass(frozen=True)
class Extraction:
    intent: str      # one of INTENTS
    facts: dict      # keys and values valid for leads.facts.QualificationFacts; only what the text states
    signals: dict    # everything the fingerprint is built from, JSON-serialisable
    fingerprint: str  # canonical, deterministic string built from `signals`


def extract(text: str, context: str = "") -> Extraction:
    text = text if isinstance(text, str) else ""
    context = context if isinstance(context, str) else ""
    question = read_question(context)
    analysis = analyse(text, question)
    found = resolve(analysis, question)
    parts = signals(found, question)
    facts = read_facts(found, question, analysis)
    return Extraction(intent=read_intent(found, question, facts), facts=facts, signals=parts,
                      fingerprint=render(parts))


def fingerprint(text: str, context: str = "") -> str:
    return extract(text, context).fingerprint
