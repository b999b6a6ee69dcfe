"""The 3-tier LLM cache: one entry point, `get_or_compute` (or its two halves, `look_up` and `complete`, for a
caller that runs several computations concurrently), plus invalidation and purging.

L1 (in-process LRU) -> L2 (Redis, exact key) -> L3 (PostgreSQL+pgvector, guarded semantic match) -> compute.
A hit backfills the faster tiers (Redis from L3 once the caller flushes its bookkeeping); a miss computes once per
key (single-flight) and writes every tier.

The cache is generic: it knows scopes, kinds and texts, not contacts or messages. What a text means (the guard's
fingerprint) is registered by the app that uses it (`caching.guard.register_meaning_fingerprint`).
"""

from __future__ import annotations

import atexit
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

from caching import embeddings, guard
from caching.breaker import CircuitBreaker
from caching.keys import Scope, make_key
from caching.local import LocalLRU, RecentItems
from caching.metrics import MetricsRecorder
from caching.policy import POLICIES, CallKind, Tier, ttl_for
from caching.singleflight import Claim, SingleFlight
from caching.tiers import REDIS_ERRORS, LocalTier, RedisTier, SemanticKey, SemanticTier, StoredValue

logger = logging.getLogger(__name__)

KIND_GENERATION_KEY = "llm-kindgen"
KIND_GENERATION_REFRESH_SECONDS = 1.0
RECENT_ITEMS_MAX_OWNERS = 5_000
MAX_PENDING_BACKFILL = 1_000


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


@dataclass(frozen=True)
class _Lookup:
    """Everything one look-up is identified by, computed once: the exact key and, for semantic kinds, the L3 key
    with the text's embedding."""

    kind: CallKind
    key: str
    semantic: SemanticKey | None
    text: str | None
    embedding: Any = None


@dataclass(frozen=True)
class LookupRequest:
    """One look-up of a batch (`LLMCache.look_up_many`): the arguments of `LLMCache.look_up`."""

    kind: CallKind
    scope: Scope
    key_parts: Any
    text: str | None = None
    context: str = ""
    partition: str = ""
    model: str = ""
    prompt_version: str = ""
    embedding: Any = None


@dataclass
class PendingCall:
    """A look-up's outcome: `answered` by the tiers (or by a concurrent caller), or a miss to `complete`."""

    lookup: _Lookup
    started: float
    answered: CacheResult | None = None
    lookup_ms: float = 0.0
    nearest_similarity: float | None = None
    claim: Claim | None = None


@dataclass(frozen=True)
class _Hit:
    tier: Tier
    stored: StoredValue
    similarity: float | None = None


@dataclass
class LLMCache:
    options: CacheOptions = field(default_factory=CacheOptions)
    # Epoch seconds; every expiry is judged by it. The benchmark passes a simulated clock to replay a day.
    clock: Callable[[], float] = time.time

    def __post_init__(self):
        self.local = LocalLRU(settings.LLM_CACHE_L1_MAX_ENTRIES, settings.LLM_CACHE_L1_MAX_BYTES)
        self.recent = RecentItems(settings.LLM_CACHE_RECENT_MESSAGES, RECENT_ITEMS_MAX_OWNERS)
        self.redis = RedisTier("llm", CircuitBreaker("L2 redis", settings.LLM_CACHE_BREAKER_SECONDS))
        self.semantic = SemanticTier(CircuitBreaker("L3 postgres", settings.LLM_CACHE_BREAKER_SECONDS))
        self.local_tier = LocalTier(self.local)
        # The exact-key tiers after L1 (which a look-up asks first, on its own), in look-up order; the benchmark's
        # ablations leave some out.
        self.shared_tiers = [self.redis] if self.options.l2 else []
        self.flight = SingleFlight(self.redis, settings.LLM_CACHE_SINGLE_FLIGHT_WAIT_SECONDS,
                                   settings.LLM_CACHE_SINGLE_FLIGHT_LOCK_SECONDS, self.clock)
        self.metrics = MetricsRecorder(self.redis)
        self._generations: dict[str, int] = {}
        self._generations_read_at = 0.0
        self._generations_lock = threading.Lock()
        # L3 hits to copy into the shared exact tiers, for other processes: written by `flush_bookkeeping`, off the
        # look-up's path (this process's L1 has them at once).
        self._backfill: list[tuple[str, StoredValue]] = []
        self._backfill_lock = threading.Lock()

    @property
    def exact_tiers(self) -> list:
        """The exact-key tiers that are on, fastest first."""
        return ([self.local_tier] if self.options.l1 else []) + self.shared_tiers

    # --- the entry point ---------------------------------------------------------------------------------

    def get_or_compute(self, kind: CallKind, scope: Scope, key_parts, compute: Callable[[], Any], *,
                       text: str | None = None, context: str = "", partition: str = "", model: str = "",
                       prompt_version: str = "", messages_per_minute: float | None = None,
                       embedding=None) -> CacheResult:
        """The cached value for (kind, scope, key_parts), computing it on a miss.

        `text` (the inbound message) and `context` (the bot's preceding question) enable the semantic tier for
        kinds that allow it; `partition` is whatever else a semantic match must share exactly (e.g. the date a
        relative time counts from). `compute` may return a plain JSON-serialisable value or a `Computed`.
        """
        pending = self.look_up(kind, scope, key_parts, text=text, context=context, partition=partition, model=model,
                               prompt_version=prompt_version, embedding=embedding)
        return pending.answered or self.complete(pending, compute, messages_per_minute=messages_per_minute)

    def look_up(self, kind: CallKind, scope: Scope, key_parts, *, text: str | None = None, context: str = "",
                partition: str = "", model: str = "", prompt_version: str = "", embedding=None) -> PendingCall:
        """The first half of `get_or_compute`: the tiers' answer (`answered`), or a miss this caller must
        `complete` (it then holds the key's single flight). Look-up and completion read and write the stores, so
        both run on the caller's thread; only the computation between them may run elsewhere.

        `embedding` is the vector of `embeddings.semantic_text(text, context)` when the caller has it already."""
        return self.look_up_many([LookupRequest(kind, scope, key_parts, text=text, context=context, partition=partition,
                                                model=model, prompt_version=prompt_version, embedding=embedding)])[0]

    def look_up_many(self, requests: list[LookupRequest]) -> list[PendingCall]:
        """`look_up` of several keys at once, in order, with one round trip per tier for all of them (one Redis
        MGET, one PostgreSQL statement for the semantic look-ups). Each look-up's `lookup_ms` is the time from the
        batch's start until its answer (a hit, or the miss) was known."""
        started, now = time.perf_counter(), self.clock()
        lookups, local_hits = [], []
        for r in requests:  # L1 answers each look-up as soon as its key is known
            lookups.append(self._lookup(CallKind(r.kind), r.scope, r.key_parts, r.text, r.context, r.partition,
                                        r.model, r.prompt_version, r.embedding))
            stored = self.local_tier.get(lookups[-1].key, now) if self.options.l1 else None
            local_hits.append(None if stored is None else (_Hit(Tier.L1, stored), None, _ms_since(started)))
        found = self._find_many([lookup for lookup, hit in zip(lookups, local_hits) if hit is None], now, started)
        found = [hit or found.pop(0) for hit in local_hits]
        misses = [lookup.key for lookup, (hit, _, _) in zip(lookups, found) if hit is None]
        # Across processes through Redis (one round trip for the misses' locks).
        claims = dict(zip(misses, self.flight.claim_many(misses))) if self.options.l2 else {}
        pending = []
        for lookup, (hit, nearest_similarity, known_ms) in zip(lookups, found):
            if hit is not None:
                pending.append(PendingCall(lookup, started, answered=self._served(lookup, hit, known_ms)))
                continue
            claim = claims.get(lookup.key)
            if claim is not None and claim.result is not None:  # another caller computed it: a hit, through Redis
                pending.append(PendingCall(lookup, started, answered=self._served(
                    lookup, _Hit(Tier.L2, claim.result), _ms_since(started))))
                continue
            pending.append(PendingCall(lookup, started, lookup_ms=known_ms, nearest_similarity=nearest_similarity,
                                       claim=claim))
        return pending

    def complete(self, pending: PendingCall, compute: Callable[[], Any], *,
                 messages_per_minute: float | None = None) -> CacheResult:
        """The second half of `get_or_compute` for a miss: `compute()` (a plain value or a `Computed`; it may
        return what a computation on another thread produced) is stored in the tiers and the flight released,
        also when it raises."""
        lookup, stored = pending.lookup, None
        try:
            computed = _unwrap(compute())
            stored = self._store(lookup, computed, messages_per_minute)
        finally:
            if pending.claim is not None:
                self.flight.release(pending.claim, stored)
        self.metrics.record(kind=lookup.kind, tier=Tier.MISS, latency_ms=pending.lookup_ms,
                            similarity=pending.nearest_similarity)
        return CacheResult(stored.value, Tier.MISS, pending.lookup_ms, _ms_since(pending.started),
                           pending.nearest_similarity, lookup.key)

    def flush_bookkeeping(self) -> None:
        """Write what look-ups kept in memory rather than pay for on their path: L3 hits copied into Redis (one
        pipeline) and the semantic tier's hit counts (one UPDATE). A caller makes it after the work the look-ups
        were for (the turn, once its reply is stored); the process's exit writes what is left."""
        with self._backfill_lock:
            backfill, self._backfill = self._backfill, []
        now = self.clock()
        for tier in self.shared_tiers:
            tier.set_many([(key, stored) for key, stored in backfill if stored.expires_at > now], now)
        self.semantic.flush_hits()

    def flush_bookkeeping_at_exit(self) -> None:
        try:
            self.flush_bookkeeping()
        except Exception:  # noqa: BLE001 - at exit there is no one left to tell (a few hit counts are lost)
            pass

    def record_avoided(self, kind: CallKind) -> None:
        """Count a call the caller did not need to make: no look-up, no compute (shown apart from hits)."""
        self.metrics.record_avoided(kind=CallKind(kind))

    def _lookup(self, kind: CallKind, scope: Scope, key_parts, text, context, partition, model, prompt_version,
                embedding=None) -> _Lookup:
        policy = POLICIES[kind]
        if policy.contact_scoped != (scope.contact_id is not None):
            raise ValueError(f"{kind} results {'hold contact data and need a contact' if policy.contact_scoped else 'are shared and need the global'} scope")
        generation = self.kind_generation(kind)
        key = make_key(kind, scope, generation, prompt_version, model, key_parts)
        semantic = None
        if self.options.l3 and policy.semantic and text and (guard.has_meaning_fingerprint() or not self.options.guard):
            semantic = SemanticKey(
                kind=kind.value, scope=scope.name, version=f"{generation}.{scope.version}", model=model,
                prompt_version=prompt_version, context_hash=guard.context_hash(f"{context}\x1f{partition}"),
                fingerprint=_fingerprint(text, context) if guard.has_meaning_fingerprint() else "",
            )
            return _Lookup(kind, key, semantic, text, embedding if embedding is not None else embedding_for(text, context))
        return _Lookup(kind, key, None, text)

    def _find_many(self, lookups: list[_Lookup], now: float,
                   started: float) -> list[tuple[_Hit | None, float | None, float]]:
        """The look-ups L1 did not answer, through the shared exact tiers and then L3. Per look-up: the hit or None,
        the similarity of the nearest semantic candidate on a miss (None when there was none), and the milliseconds
        since `started` at which the answer was known."""
        hits: list[_Hit | None] = [None] * len(lookups)
        nearest: list[float | None] = [None] * len(lookups)
        known_ms = [0.0] * len(lookups)
        waiting = list(range(len(lookups)))
        for tier in self.shared_tiers:
            if not waiting:
                break
            for index, stored in zip(waiting, tier.get_many([lookups[i].key for i in waiting], now)):
                if stored is not None:
                    for faster in self.exact_tiers[:self.exact_tiers.index(tier)]:
                        faster.set(lookups[index].key, stored, now)
                    hits[index] = _Hit(tier.name, stored)
                    known_ms[index] = _ms_since(started)
            waiting = [i for i in waiting if hits[i] is None]
        semantic = [i for i in waiting if lookups[i].semantic is not None]
        for index in waiting:
            if lookups[index].semantic is None:  # a miss once the exact tiers have not got it
                known_ms[index] = _ms_since(started)
        if not semantic:
            return list(zip(hits, nearest, known_ms))
        matches = self.semantic.nearest_many([(lookups[i].semantic, lookups[i].embedding) for i in semantic], now,
                                             guarded=self.options.guard)
        backfill = []
        for index, match in zip(semantic, matches):
            if match is None or match.similarity < POLICIES[lookups[index].kind].l3_min_similarity:
                nearest[index] = match.similarity if match else None
                continue
            self.semantic.record_hit(match.entry_id)
            hits[index] = _Hit(Tier.L3, match.stored, match.similarity)
            backfill.append((lookups[index].key, match.stored))
        if self.options.l1:
            self.local_tier.set_many(backfill, now)
        with self._backfill_lock:
            if len(self._backfill) < MAX_PENDING_BACKFILL:  # a caller that never flushes leaves Redis cooler, no more
                self._backfill.extend(backfill)
        for index in semantic:
            known_ms[index] = _ms_since(started)
        return list(zip(hits, nearest, known_ms))

    def _store(self, lookup: _Lookup, computed: Computed, messages_per_minute) -> StoredValue:
        now = self.clock()
        stored = StoredValue(computed.value, computed.cost_usd, computed.tokens,
                             now + self._ttl(lookup.kind, messages_per_minute))
        json.dumps(stored.value)  # fail loudly here if a caller's value is not JSON (no pickle fallback)
        if computed.cacheable:
            for tier in self.exact_tiers:
                tier.set(lookup.key, stored, now)
            if lookup.semantic is not None:
                entry_id = self.semantic.store(lookup.semantic, lookup.text, lookup.embedding, stored)
                if entry_id is not None and self.options.guard:
                    self._schedule_guard_audit(entry_id)
        return stored

    def _schedule_guard_audit(self, entry_id: int) -> None:
        """Would similarity alone have served something for this guarded miss? That is a near-miss the guard
        refused (counted for the dashboard). The check costs one more L3 query, so it is not made on the look-up:
        a sample of the misses (LLM_CACHE_GUARD_AUDIT_RATE) is handed, by the id of the entry the miss stored, to
        the `caching.audit_guard` task once the transaction commits."""
        rate = settings.LLM_CACHE_GUARD_AUDIT_RATE
        if random.random() >= rate:  # random() is never below 0: rate 0 audits nothing
            return
        from caching.tasks import audit_guard  # the tasks module imports this one

        def enqueue():
            try:
                audit_guard.delay(entry_id)
            except Exception as exc:  # noqa: BLE001 - a broker down costs one sample of a metric, never the turn
                logger.warning("guard audit of entry %s not queued: %s", entry_id, exc)

        transaction.on_commit(enqueue)

    def audit_guard(self, entry_id: int) -> bool:
        """The audit of one stored miss: True when an entry filed under the same key but another meaning was
        similar enough to be served without the guard (recorded once per entry, weighted for the misses not
        sampled). An entry already audited, or gone, counts nothing."""
        found = self.semantic.refused_neighbour(entry_id)
        if found is None:
            return False
        kind, similarity = found
        if similarity < POLICIES[CallKind(kind)].l3_min_similarity or not self.redis.claim_once(f"llm-audited:{entry_id}"):
            return False
        self.metrics.record_guard_rejection(kind=kind, weight=round(1 / max(settings.LLM_CACHE_GUARD_AUDIT_RATE, 1e-9)))
        return True

    def _served(self, lookup: _Lookup, hit: _Hit, elapsed: float) -> CacheResult:
        self.metrics.record(kind=lookup.kind, tier=hit.tier, latency_ms=elapsed, similarity=hit.similarity,
                            saved_usd=hit.stored.cost_usd, saved_tokens=hit.stored.tokens)
        return CacheResult(hit.stored.value, hit.tier, elapsed, elapsed, hit.similarity, lookup.key)

    def _ttl(self, kind: CallKind, messages_per_minute: float | None) -> int:
        return ttl_for(kind, messages_per_minute if self.options.adaptive_ttl else None)

    # --- a bounded window of recent items per scope (a contact's last messages) ----------------------------

    def recent_items(self, scope: Scope, limit: int, *, newest_stamp: str | None,
                     load: Callable[[int], list[dict]]) -> tuple[list[dict], Tier]:
        """The scope's newest `limit` items, oldest first (each a dict with an "id" and a "stamp"), from L1 when
        this process holds them and its newest item carries `newest_stamp`; otherwise `load(n)` reads the last n
        from the store of record, which then fills L1. Fewer than `limit` items means the scope has no more (a
        caller may rely on it), so a window smaller than `limit` is never served from L1."""
        started = time.perf_counter()
        held = self.recent.get(scope.name, limit) if self.options.l1 and self.recent.per_owner >= limit else None
        if held and held[-1]["stamp"] == newest_stamp:
            self.metrics.record(kind=CallKind.MEMORY, tier=Tier.L1, latency_ms=_ms_since(started))
            return held, Tier.L1
        rows = load(max(self.recent.per_owner, limit))
        self.recent.replace(scope.name, rows)
        self.metrics.record(kind=CallKind.MEMORY, tier=Tier.MISS, latency_ms=_ms_since(started))
        return rows[-limit:], Tier.MISS

    def remember_item(self, scope: Scope, item: dict) -> None:
        """Append a just-stored item to the scope's L1 window (if this process holds it)."""
        if self.recent.get(scope.name, 1) is not None:
            self.recent.add(scope.name, item)

    # --- invalidation ------------------------------------------------------------------------------------

    def forget_scope(self, scope_name: str) -> None:
        """Free what the cache holds for a scope whose version was bumped (its keys are unreachable already):
        this process's L1 entries and window, and the L3 rows. Other processes' L1 entries expire on their own."""
        self.local.delete_where(lambda key: f":{scope_name}:" in key)
        self.recent.forget(scope_name)
        self.semantic.delete(scope=scope_name)

    def invalidate_kind(self, kind: CallKind) -> int:
        """Retire every entry of one kind in all tiers and all processes (other processes' L1 within
        KIND_GENERATION_REFRESH_SECONDS). Returns the new generation."""
        kind = CallKind(kind)
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
        for kind in CallKind:
            self.invalidate_kind(kind)

    def purge_expired(self) -> int:
        return self.semantic.purge_expired()

    def kind_generation(self, kind: CallKind) -> int:
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


@lru_cache(maxsize=4096)
def _embedding(semantic_text: str):
    # The calls of one turn embed the same inbound text; remembering recent texts embeds each once.
    vector = embeddings.embed_one(semantic_text)
    vector.setflags(write=False)
    return vector


@lru_cache(maxsize=4096)
def _fingerprint(text: str, context: str) -> str:
    # The intent and facts look-ups of one turn read the same text after the same question: read its meaning once.
    return guard.fingerprint_hash(text, context)


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
                atexit.register(_default_cache.flush_bookkeeping_at_exit)
    return _default_cache


def with_options(clock: Callable[[], float] = time.time, **changes) -> LLMCache:
    """A separate cache instance with some tiers switched off (benchmark ablations)."""
    return LLMCache(options=replace(CacheOptions(), **changes), clock=clock)
