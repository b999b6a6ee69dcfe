"""The L3 guard: a similar vector is not enough to reuse an answer.

On the labeled pairs, near-misses ("pre-approved" / "not pre-approved", $450k / $540k, buy / sell) are closer
in embedding space than true paraphrases. So an L3 match must have exactly the same canonical meaning
fingerprint (amounts, timelines, negation, polarity, financing, property type, counts, places, days and times,
and any content word the lexicon does not know) as the stored message, *and* clear the similarity threshold.
The fingerprint comes from the same rule-based extractor the bots use offline: one extractor, two uses.
"""

from __future__ import annotations

import hashlib

from leads.understanding import fingerprint as meaning_fingerprint


def fingerprint_hash(text: str, context: str = "") -> str:
    return hashlib.sha256(meaning_fingerprint(text, context).encode()).hexdigest()


def context_hash(context: str) -> str:
    return hashlib.sha256(" ".join((context or "").lower().split()).encode()).hexdigest()
