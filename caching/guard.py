"""The L3 guard: a similar vector is not enough to reuse an answer.

On labeled pairs, near-misses ("pre-approved" / "not pre-approved", $450k / $540k, buy / sell) are closer in
embedding space than true paraphrases. So an L3 match must have exactly the same canonical meaning fingerprint as
the stored text, *and* clear the similarity threshold. The cache does not know what a text means: the app that
uses it registers the function that reads a text's meaning (`register_meaning_fingerprint`). Without one, the
semantic tier serves nothing (a wrong cached answer is worse than a miss).
"""

from __future__ import annotations

import hashlib
from typing import Callable

MeaningFingerprint = Callable[[str, str], str]  # (text, preceding question) -> canonical meaning

_registered: MeaningFingerprint | None = None


class NoFingerprint(RuntimeError):
    """No meaning fingerprint is registered, so no semantic match can be trusted."""


def register_meaning_fingerprint(function: MeaningFingerprint) -> None:
    global _registered
    _registered = function


def has_meaning_fingerprint() -> bool:
    return _registered is not None


def fingerprint_hash(text: str, context: str = "") -> str:
    if _registered is None:
        raise NoFingerprint("no meaning fingerprint registered (the bots app registers the understanding package's)")
    return hashlib.sha256(_registered(text, context).encode()).hexdigest()


def context_hash(context: str) -> str:
    return hashlib.sha256(" ".join((context or "").lower().split()).encode()).hexdigest()
