"""A fingerprint of the offline reading rules, so that cached readings retire when the rules change.

The rule-based provider's answers are cached like Claude's, under a model name. Were that name fixed, a deploy
that improves the rules would keep serving the old rules' readings (from Redis and the semantic tier) to every
text seen before. The name carries a hash of the code and data the rules are made of instead.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

_RULE_PACKAGES = (Path(__file__).resolve().parent, Path(__file__).resolve().parent.parent / "understanding")
_RULE_SUFFIXES = {".py", ".toml", ".txt", ".json"}


@lru_cache(maxsize=1)
def rules_fingerprint() -> str:
    """12 hex digits over the reader's and the understanding package's files (stable across checkouts)."""
    return fingerprint_of(_RULE_PACKAGES)


def fingerprint_of(packages) -> str:
    """12 hex digits over every rule file's path (relative to its package's parent) and bytes."""
    digest = hashlib.sha256()
    for package in packages:
        for path in sorted(package.rglob("*")):
            if path.is_file() and path.suffix in _RULE_SUFFIXES and "__pycache__" not in path.parts:
                digest.update(path.relative_to(package.parent).as_posix().encode())
                digest.update(b"\0")
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
