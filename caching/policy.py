"""What is cached, where, and for how long: one table for every kind of LLM result."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class CallKind(StrEnum):
    INTENT = "intent"        # intent label of one inbound message, given the bot's preceding question
    FACTS = "facts"          # qualification facts extracted from one message (the scoring call's component)
    SCORING = "scoring"      # a contact's scores computed from their accumulated facts
    MEMORY = "memory"        # what the memory-retrieval call returned for a contact
    RESPONSE = "response"    # the next SMS to a contact
    STATE_REPLY = "state_reply"  # a reply template for a dialogue state, with placeholders, holding no contact data


class Tier(StrEnum):
    L1 = "L1"
    L2 = "L2"
    L3 = "L3"
    MISS = "miss"


@dataclass(frozen=True)
class KindPolicy:
    ttl_seconds: int
    contact_scoped: bool     # holds a contact's data: keyed and filtered by that contact, never shared
    semantic: bool           # may be served from L3 for a similar message (with the guard)
    l3_min_similarity: float  # cosine similarity an L3 match needs, on top of an equal guard fingerprint
    adaptive_ttl: bool       # shortened when the conversation moves fast


# Thresholds come from `manage.py cache_calibrate` on labeled pairs (tests/data/pairs/, see README): similarity
# barely separates anything (near misses score as high as paraphrases), so the guard fingerprint is the main
# defence and the threshold is a floor against unrelated texts whose fingerprints happen to agree; 0.50 is the
# lowest value calibrated. Contact-scoped kinds use the same value; their candidates are only ever that contact's
# own entries.
CALIBRATED_MIN_SIMILARITY = 0.50

# Intent and facts of one text are pure functions of their key (prompt version, model, text, question and what
# else the prompt says): nothing makes a stored answer stale but a new prompt or model, and both are in the key.
# So they are kept for days, not minutes: bounded by size (L1 by entries and bytes, L2 by Redis's expiry, L3 rows
# purged by `cache_purge_expired` every 10 minutes), not by staleness. The kinds that read a contact's changing
# state keep short, volatile TTLs.
PURE_TTL_SECONDS = 30 * 86400

POLICIES: dict[CallKind, KindPolicy] = {
    CallKind.SCORING: KindPolicy(15 * 60, contact_scoped=True, semantic=False, l3_min_similarity=1.0, adaptive_ttl=True),
    CallKind.INTENT: KindPolicy(PURE_TTL_SECONDS, contact_scoped=False, semantic=True,
                                l3_min_similarity=CALIBRATED_MIN_SIMILARITY, adaptive_ttl=False),
    CallKind.FACTS: KindPolicy(PURE_TTL_SECONDS, contact_scoped=False, semantic=True,
                               l3_min_similarity=CALIBRATED_MIN_SIMILARITY, adaptive_ttl=False),
    CallKind.RESPONSE: KindPolicy(30 * 60, contact_scoped=True, semantic=True, l3_min_similarity=CALIBRATED_MIN_SIMILARITY,
                              adaptive_ttl=True),
    # A template for a dialogue state is a pure function of the state (which holds no contact data): shared and
    # kept like intent and facts. Exact keys only: a state is a small structure, not a text to match by meaning.
    CallKind.STATE_REPLY: KindPolicy(PURE_TTL_SECONDS, contact_scoped=False, semantic=False, l3_min_similarity=1.0,
                                     adaptive_ttl=False),
    CallKind.MEMORY: KindPolicy(30 * 60, contact_scoped=True, semantic=True, l3_min_similarity=CALIBRATED_MIN_SIMILARITY,
                            adaptive_ttl=True),
}

# Adaptive TTL: at `VELOCITY_HALF_LIFE` messages per minute the TTL halves; it never drops below
# MIN_TTL_FRACTION of the base nor below MIN_TTL_SECONDS. A fast exchange changes facts quickly, so its
# cached results go stale sooner; a slow one keeps them for the full base TTL.
VELOCITY_HALF_LIFE = 2.0
MIN_TTL_FRACTION = 0.25
MIN_TTL_SECONDS = 30


def ttl_for(kind: CallKind, messages_per_minute: float | None = None) -> int:
    policy = POLICIES[kind]
    if not policy.adaptive_ttl or not messages_per_minute or messages_per_minute <= 0:
        return policy.ttl_seconds
    shortened = policy.ttl_seconds / (1.0 + messages_per_minute / VELOCITY_HALF_LIFE)
    floor = max(policy.ttl_seconds * MIN_TTL_FRACTION, MIN_TTL_SECONDS)
    return int(max(shortened, floor))
