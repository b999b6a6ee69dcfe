"""Rule-based meaning of an inbound SMS, given the bot's preceding question. One extractor, two uses.

1. The offline fallback of the bots (Claude unavailable): an intent label and the qualification facts the
   text states (validated by ``leads.facts.QualificationFacts``).
2. The guard of the semantic cache tier (L3): a canonical *fingerprint* of the message's meaning. A cached
   result is served for another message only when the fingerprints are equal, because embeddings rate
   near-misses (negation, a changed number, buy vs sell, another place) as more similar than paraphrases.

The fingerprint is built from *terms*: concepts from a lexicon (synonyms and SMS spellings of one idea map to
one upper-case name), slots (amounts, counts, durations, clock times, days, places with numbers), and every
content word the lexicon does not know, kept verbatim (lower case, lightly stemmed, adjacent unknown words
joined: "round rock", "oak hill drive"). So an unknown word must match exactly: a gap in the lexicon costs a
cache miss, never a wrong hit. Precision comes first. Before that, a word the lexicon does not know is read as
the lexicon word it is a typo of when exactly one meaning fits (spelling.py: a letter left out, doubled, swapped
or wrong, the vowels left out, a last letter left off, Spanish letters that sound alike), or through the SMS
spellings and synonyms of spelling.toml.

Pipeline, one module each (the tables they use are TOML files in data/, read once at import by data.py):
    normalise   characters, apostrophes, spelling (spelling.py), number words, idioms
    lexicon     tokens: phrase look-up, longest match first (token kinds: tokens.py)
    numbers     numbers, units and times to slots (slots.py); addresses (areas.py)
    structure   ambiguous words, property noun phrases, planned states, negation scope; the terms in order
    question    the bot's question: its own terms, the options it offers, the unit it asks for
    analysis    the message: terms, areas, whether it asks something
    resolve     short replies against the question ("the first one", "yes"), canonical rules
    facts, intent, fingerprints (the pipeline end to end: pipeline.py)
And beside it, canonical.py: the canonical form of a text and of a question that cache keys are made of (only
differences of writing dropped; see data/canonical.toml).

Fingerprint: "v3|context=...|polarity=...|roles=...|slots=...|concepts=...|words=...|order=...", each part a
sorted, comma-separated list of terms (``signals`` holds the same lists). Terms look like
    concepts  PREAPPROVED, CONDO, HOME_VALUE, !SELL (negated), MY_HOME, THE_HOME, ASK (an information question)
    slots     $<=500000, $=400000-500000, $/mo=1800, bed>=3, bath=2, dur=60d, time>17:00, day=tue, month=jun,
              season=next_summer, rel=next_year, zip=78704, addr=412 elm street, n=2:car, pick=day=tue&time=16:00
    words     hyde park, oak hill drive, from dallas (unknown words, verbatim)
    order     SELL<BUY ("sell before we buy"); two amounts of one measure print in the order given among the
              slots: $=389000<$=420000 ("listed at 389, now hoping 420"); with two events, each place, day
              and time bound to its own: SELL@dalla, BUY@austin ("selling in Dallas, buying in Austin")
and "context" holds the terms of the bot's question, since a short reply means something only with it.
Bump the version in data/fingerprint.toml when the rules or the data change: older cache entries then simply
stop matching.

Pure Python (the standard library), no Django, no I/O after import; the results depend only on the two strings.
"""

from __future__ import annotations

__all__ = ["CANONICAL_VERSION", "FINGERPRINT_VERSION", "INTENTS", "MAX_INPUT_CHARS", "Extraction", "canonical_question",
           "canonical_text", "extract", "fingerprint"]


def __getattr__(name: str):
    # The pipeline (and its lexicon) loads on first use, so importing one small part of the package (the keyword
    # table in keywords.py) does not pay for reading every table.
    if name in __all__:
        from leads.understanding import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'leads.understanding' has no attribute {name!r}")
