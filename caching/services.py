"""The 3-tier LLM cache: one entry point, `get_or_compute`, plus invalidation and purging.

L1 (in-process LRU) -> L2 (Redis, exact key) -> L3 (PostgreSQL+pgvector, guarded semantic match) -> compute.
A hit backfills the faster tiers; a miss computes once per key (single-flight) and writes every tier.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, Callable

from django.conf import settings
from django.db import transaction
from django.db.models import F

from caching import embeddings
from caching.breaker import CircuitBreaker
from caching.guard import context_hash, fingerprint_hash
from caching.keys import Scope, make_key
from caching.local import LocalLRU, RecentMessages
from caching.metrics import MetricsRecorder
from caching.policy import POLICIES, Kind, Tier, ttl_for
from caching.singleflight import SingleFlight
from caching.tiers import REDIS_ERRORS, RedisTier, SemanticTier, StoredValue

logger = logging.getLogger(__name__)

KIND_GENERATION_KEY = "llm-kindgen"
KIND_GENERATION_REFRESH_SECONDS = 1.0
RECENT_MESSAGES_MAX_CONTACTS = 5_000


@dataclass(frozen=True)
class Computed:
    """What a compute function may return to tell the cache what the value cost (for 'saved' metrics)."""

    value: Any
    cost_usd: float = 0.0
    tokens: int = 0
    cacheable: bool = True  # False for a degraded answer (fallback standing in for the model): use, don't keep


@dataclass(frozen=True)
class CacheResult:
    value: Any
    tier: Tier
    lookup_ms: float          # time spent looking in the cache tiers
    total_ms: float           # look-up plus compute on a miss
    similarity: float | None  # cosine similarity of the L3 match (or of the nearest candidate on a miss)
    key: str


@dataclass(frozen=True)
class CacheOptions:
    """Which tiers run; the benchmark's ablations switch them, production uses the defaults."""

    l1: bool = True
    l2: bool = True
    l3: bool = True
    guard: bool = True
    adaptive_ttl: bool = True


@dataclass
class LLMCache:
    options: CacheOptions = field(default_factory=CacheOptions)
    # Epoch seconds; every expiry is judged by it. The benchmark passes a simulated clock to replay a day.
    clock: Callable[[], float] = time.time

    def __post_init__(self):
        self.local = LocalLRU(settings.LLM_CACHE_L1_MAX_ENTRIES, settings.LLM_CACHE_L1_MAX_BYTES)
        self.recent = RecentMessages(settings.LLM_CACHE_RECENT_MESSAGES, RECENT_MESSAGES_MAX_CONTACTS)
        self.redis = RedisTier("llm", CircuitBreaker("L2 redis", settings.LLM_CACHE_BREAKER_SECONDS))
        self.semantic = SemanticTier(CircuitBreaker("L3 postgres", settings.LLM_CACHE_BREAKER_SECONDS))
        self.flight = SingleFlight(self.redis, settings.LLM_CACHE_SINGLE_FLIGHT_WAIT_SECONDS,
                                   settings.LLM_CACHE_SINGLE_FLIGHT_LOCK_SECONDS, self.clock)
        self.metrics = MetricsRecorder(self.redis)
        self._generations: dict[str, int] = {}
        self._generations_read_at = 0.0
        self._generations_lock = threading.Lock()

    # --- the entry point ---------------------------------------------------------------------------------

    def get_or_compute(self, kind: Kind, scope: Scope, key_parts, compute: Callable[[], Any], *, text: str | None = None,
                       context: str = "", model: str = "", prompt_version: str = "", messages_per_minute: float | None = None,
                       streaming: bool = False, tool_use: bool = False) -> CacheResult:
        """The cached value for (kind, scope, key_parts), computing it on a miss.

        `text` (the inbound message) and `context` (the bot's preceding question) enable the semantic tier for
        kinds that allow it. Streaming and tool-use requests bypass the cache entirely: they are neither read
        nor written. `compute` may return a plain JSON-serialisable value or a `Computed`.
        """
        kind = Kind(kind)
        policy = POLICIES[kind]
        started = time.perf_counter()
        if streaming or tool_use:
            value = _unwrap(compute()).value
            elapsed = _ms_since(started)
            self.metrics.record(kind=kind, tier=Tier.BYPASS, latency_ms=0.0)
            return CacheResult(value, Tier.BYPASS, 0.0, elapsed, None, "")
        if policy.contact_scoped and scope.contact_id is None:
            raise ValueError(f"{kind} results hold contact data and need a contact scope")
        if not policy.contact_scoped and scope.contact_id is not None:
            raise ValueError(f"{kind} results are shared; give them the global scope")

        generation = self.kind_generation(kind)
        key = make_key(kind, scope, generation, prompt_version, model, key_parts)
        version = f"{generation}.{scope.version}"

        now = self.clock()
        if self.options.l1:
            local = self.local.get(key, now)
            if local is not None:
                return self._hit(kind, Tier.L1, local, started, None, key)
        if self.options.l2:
            stored = self.redis.get(key, now)
            if stored is not None:
                self._fill_local(key, stored)
                return self._hit(kind, Tier.L2, stored, started, None, key)

        semantic = None
        nearest_similarity = None
        if self.options.l3 and policy.semantic and text:
            semantic = _SemanticQuery(text=text, context=context, guard=self.options.guard)
            match, nearest_similarity = self.semantic.nearest(
                kind=kind, scope=scope.name, version=version, model=model, prompt_version=prompt_version,
                context_hash=semantic.context_hash, fingerprint=semantic.fingerprint, embedding=semantic.embedding,
                exact_scan=policy.contact_scoped, now=now,
            )
            if match is not None and match.similarity >= policy.l3_min_similarity:
                self.semantic.record_hit(match.entry_id)
                if self.options.l2:
                    self.redis.set(key, match.stored, match.stored.expires_at - now)
                self._fill_local(key, match.stored)
                return self._hit(kind, Tier.L3, match.stored, started, match.similarity, key)
            guard_rejected = self._guard_refused_a_match(kind, scope, version, model, prompt_version, semantic, now)
        else:
            guard_rejected = False
        lookup_ms = _ms_since(started)

        def compute_and_store() -> StoredValue:
            computed = _unwrap(compute())
            ttl = self._ttl(kind, messages_per_minute)
            stored = StoredValue(computed.value, computed.cost_usd, computed.tokens, self.clock() + ttl)
            json.dumps(stored.value)  # fail loudly here if a caller's value is not JSON (no pickle fallback)
            if not computed.cacheable:
                return stored
            self._fill_local(key, stored)
            if self.options.l2:
                self.redis.set(key, stored, ttl)
            if semantic is not None:
                self.semantic.store(
                    kind=kind, scope=scope.name, version=version, model=model, prompt_version=prompt_version,
                    context_hash=semantic.context_hash, fingerprint=semantic.fingerprint or semantic.guard_fingerprint,
                    text=text, embedding=semantic.embedding, stored=stored,
                )
            return stored

        if self.options.l2:
            stored, computed_here = self.flight.run(key, compute_and_store)
        else:
            stored, computed_here = compute_and_store(), True
        total_ms = _ms_since(started)
        if computed_here:
            self.metrics.record(kind=kind, tier=Tier.MISS, latency_ms=lookup_ms, similarity=nearest_similarity,
                                guard_rejected=guard_rejected)
            return CacheResult(stored.value, Tier.MISS, lookup_ms, total_ms, nearest_similarity, key)
        # Another caller computed it while we waited: a hit for us, served through Redis.
        return self._hit(kind, Tier.L2, stored, started, None, key)

    def _guard_refused_a_match(self, kind: Kind, scope: Scope, version: str, model: str, prompt_version: str,
                               semantic: "_SemanticQuery", now: float) -> bool:
        """On a guarded miss, would similarity alone have served something? That is a near-miss the guard refused
        (counted for the dashboard). Sampled at LLM_CACHE_GUARD_AUDIT_RATE: it costs one more L3 query."""
        if not self.options.guard or random.random() >= settings.LLM_CACHE_GUARD_AUDIT_RATE:
            return False
        _match, similarity = self.semantic.nearest(
            kind=kind, scope=scope.name, version=version, model=model, prompt_version=prompt_version,
            context_hash=semantic.context_hash, fingerprint=None, embedding=semantic.embedding,
            exact_scan=POLICIES[kind].contact_scoped, now=now,
        )
        return similarity is not None and similarity >= POLICIES[kind].l3_min_similarity

    # --- sequential memory: the last messages of a contact ------------------------------------------------

    def recent_messages(self, contact, limit: int) -> tuple[list[dict], Tier]:
        """The contact's newest `limit` messages, oldest first, from L1 when this process holds them (the
        common "what did you just say?" case), otherwise from PostgreSQL, which then fills L1."""
        started = time.perf_counter()
        held = self.recent.get(contact.pk, limit) if self.options.l1 else None
        # Another worker may have added messages; the contact row (read fresh for each turn) says which is newest.
        newest = contact.last_message_at.isoformat() if contact.last_message_at else None
        if held and held[-1]["created_at"] == newest:
            self.metrics.record(kind=Kind.MEMORY, tier=Tier.L1, latency_ms=_ms_since(started))
            return held, Tier.L1
        from leads.selectors import recent_messages

        rows = [_message_dict(message) for message in recent_messages(contact=contact, limit=self.recent.per_contact)]
        self.recent.replace(contact.pk, rows)
        self.metrics.record(kind=Kind.MEMORY, tier=Tier.MISS, latency_ms=_ms_since(started))
        return rows[-limit:], Tier.MISS

    def remember_message(self, message) -> None:
        """Append a just-stored message to the contact's L1 history (if this process holds it)."""
        if self.recent.get(message.contact_id, 1) is not None:
            self.recent.add(message.contact_id, _message_dict(message))

    # --- invalidation ------------------------------------------------------------------------------------

    def invalidate_contact(self, contact_id: int) -> int:
        """Bump the contact's cache version: every tier stops serving its older entries at once (the version is
        part of every key and L3 filter). Returns the new version. Old L3 rows are deleted to free space."""
        from leads.models import Contact

        with transaction.atomic():
            Contact.objects.filter(pk=contact_id).update(cache_version=F("cache_version") + 1)
            new_version = Contact.objects.filter(pk=contact_id).values_list("cache_version", flat=True).first()
        scope = f"contact:{contact_id}"
        self.local.delete_where(lambda key: f":{scope}:" in key)
        self.recent.forget(contact_id)
        self.semantic.delete(scope=scope)
        return new_version

    def invalidate_kind(self, kind: Kind) -> int:
        """Retire every entry of one kind in all tiers and all processes (other processes' L1 within
        KIND_GENERATION_REFRESH_SECONDS). Returns the new generation."""
        kind = Kind(kind)
        generation = None
        if not self.redis.breaker.is_open:
            try:
                generation = int(self.redis.client.hincrby(KIND_GENERATION_KEY, kind.value, 1))
            except REDIS_ERRORS as exc:
                self.redis.breaker.record_failure(exc)
        self.local.delete_where(lambda key: key.startswith(f"{kind}:"))
        self.redis.delete_matching(f"{kind}:*")
        self.semantic.delete(kind=kind.value)
        with self._generations_lock:
            if generation is not None:
                self._generations[kind.value] = generation
        return generation if generation is not None else self.kind_generation(kind)

    def invalidate_all(self) -> None:
        for kind in Kind:
            self.invalidate_kind(kind)

    def purge_expired(self) -> int:
        return self.semantic.purge_expired()

    def kind_generation(self, kind: Kind) -> int:
        """The kind's generation, read from Redis at most once a second per process (so L1 stays in-memory)."""
        now = time.monotonic()
        if now - self._generations_read_at >= KIND_GENERATION_REFRESH_SECONDS and not self.redis.breaker.is_open:
            try:
                raw = self.redis.client.hgetall(KIND_GENERATION_KEY)
                with self._generations_lock:
                    self._generations = {name.decode(): int(value) for name, value in raw.items()}
            except REDIS_ERRORS as exc:
                self.redis.breaker.record_failure(exc)
            self._generations_read_at = now
        return self._generations.get(kind.value, 0)

    # --- helpers ---------------------------------------------------------------------------------------------

    def _ttl(self, kind: Kind, messages_per_minute: float | None) -> int:
        return ttl_for(kind, messages_per_minute if self.options.adaptive_ttl else None)

    def _fill_local(self, key: str, stored: StoredValue) -> None:
        if self.options.l1:
            self.local.set(key, stored, stored.expires_at, len(stored.to_json()))

    def _hit(self, kind: Kind, tier: Tier, stored: StoredValue, started: float, similarity: float | None,
             key: str) -> CacheResult:
        elapsed = _ms_since(started)
        self.metrics.record(kind=kind, tier=tier, latency_ms=elapsed, similarity=similarity, saved_usd=stored.cost_usd,
                            saved_tokens=stored.tokens)
        return CacheResult(stored.value, tier, elapsed, elapsed, similarity, key)


class _SemanticQuery:
    """The semantic side of one look-up: embedding and fingerprint, each computed once per text."""

    def __init__(self, *, text: str, context: str, guard: bool):
        self.context_hash = context_hash(context)
        self.guard_fingerprint = fingerprint_hash(text, context)
        self.fingerprint = self.guard_fingerprint if guard else None
        self.embedding = _embedding(embeddings.semantic_text(text, context))


@lru_cache(maxsize=4096)
def _embedding(semantic_text: str):
    # The four calls of one turn embed the same inbound text; remembering recent texts embeds each once.
    vector = embeddings.embed_one(semantic_text)
    vector.setflags(write=False)
    return vector


def _message_dict(message) -> dict:
    return {"id": message.pk, "direction": message.direction, "body": message.body,
            "created_at": message.created_at.isoformat()}


def embedding_for(text: str, context: str = ""):
    """The (remembered) embedding of a text as the semantic tier sees it."""
    return _embedding(embeddings.semantic_text(text, context))


def _unwrap(result) -> Computed:
    return result if isinstance(result, Computed) else Computed(result)


def _ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0


_default_cache: LLMCache | None = None
_default_lock = threading.Lock()


def get_cache() -> LLMCache:
    """The process-wide cache (one L1 per process, shared L2/L3)."""
    global _default_cache
    if _default_cache is None:
        with _default_lock:
            if _default_cache is None:
                _default_cache = LLMCache()
                _default_cache.metrics.register_exit_flush()
    return _default_cache


def get_or_compute(kind: Kind, scope: Scope, key_parts, compute, **options) -> CacheResult:
    return get_cache().get_or_compute(kind, scope, key_parts, compute, **options)


def invalidate_contact(contact_id: int) -> int:
    return get_cache().invalidate_contact(contact_id)


def invalidate_kind(kind: Kind) -> int:
    return get_cache().invalidate_kind(kind)


def with_options(clock: Callable[[], float] = time.time, **changes) -> LLMCache:
    """A separate cache instance with some tiers switched off (benchmark ablations)."""
    return LLMCache(options=replace(CacheOptions(), **changes), clock=clock)
