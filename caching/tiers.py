"""L2 (Redis, exact keys, JSON) and L3 (PostgreSQL+pgvector, semantic) tiers.

Each tier sits behind its own circuit breaker: if Redis or PostgreSQL fails, the tier is skipped for a few
seconds and the caller still gets a computed value. Nothing here raises to the caller.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import Counter
from dataclasses import asdict, dataclass
from functools import lru_cache
from datetime import datetime
from datetime import timezone as dt_timezone

import redis
from django.db import DatabaseError, InterfaceError, connection, transaction
from django.utils import timezone
from django_redis import get_redis_connection
from pgvector import Vector
from pgvector.django import CosineDistance

from caching.breaker import CircuitBreaker
from caching.keys import REDIS_KEY_PREFIX
from caching.local import LocalLRU
from caching.models import SemanticCacheEntry
from caching.policy import Tier

logger = logging.getLogger(__name__)

REDIS_ERRORS = (redis.RedisError, OSError)
DATABASE_ERRORS = (DatabaseError, InterfaceError)
MAX_TTL_SECONDS = 365 * 86400  # an entry that never expires by its own clock still leaves Redis within a year


@dataclass
class StoredValue:
    value: object
    cost_usd: float = 0.0
    tokens: int = 0
    # Epoch seconds of the cache's clock. Every tier checks it on read, so an entry backfilled into a faster
    # tier never outlives its first expiry, and a simulated clock (the benchmark's day) is honoured everywhere.
    expires_at: float = float("inf")

    def to_json(self) -> str:
        return json.dumps({"v": self.value, "c": self.cost_usd, "t": self.tokens, "e": self.expires_at},
                          separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: bytes | str) -> "StoredValue":
        data = json.loads(raw)
        return cls(data["v"], data.get("c", 0.0), data.get("t", 0), data.get("e", float("inf")))


@lru_cache(maxsize=4)
def _nearest_sql(fields: tuple[str, ...]) -> str:
    """A look-up's statement (the first column says which look-up of a batch it answers), written once per set of
    filtered fields: the ORM would rebuild the same SQL on
    every look-up, which costs more than PostgreSQL takes to answer it. Same columns and indexes as the model."""
    table = SemanticCacheEntry._meta.db_table
    conditions = " AND ".join(f"{name} = %s" for name in fields)
    return (f"SELECT %s AS position, id, value, cost_usd, tokens, expires_at, embedding <=> %s::vector AS distance "
            f"FROM {table} WHERE {conditions} AND expires_at > %s ORDER BY distance LIMIT 1")


_FLUSH_HITS_SQL = (
    f"UPDATE {SemanticCacheEntry._meta.db_table} AS entry SET hit_count = entry.hit_count + hits.n, "
    "last_hit_at = GREATEST(entry.last_hit_at, hits.at) "
    "FROM unnest(%s::bigint[], %s::integer[], %s::timestamptz[]) AS hits(id, n, at) WHERE entry.id = hits.id")


def _ttl_ms(stored: StoredValue, now: float) -> int:
    """Redis's expiry of `stored` by the cache's clock `now` (at least 1 ms, at most MAX_TTL_SECONDS)."""
    return max(int(min(stored.expires_at - now, MAX_TTL_SECONDS) * 1000), 1)


def _as_datetime(epoch_seconds: float) -> datetime:
    return datetime.fromtimestamp(min(epoch_seconds, 32503680000.0), tz=dt_timezone.utc)  # inf -> year 3000


class LocalTier:
    """L1 as a tier: the in-process LRU holding `StoredValue`s until their expiry."""

    name = Tier.L1

    def __init__(self, lru: LocalLRU):
        self.lru = lru

    def get(self, key: str, now: float) -> StoredValue | None:
        return self.lru.get(key, now)

    def set(self, key: str, stored: StoredValue, now: float) -> None:
        self.lru.set(key, stored, stored.expires_at, len(stored.to_json()))

    def get_many(self, keys: list[str], now: float) -> list[StoredValue | None]:
        return [self.lru.get(key, now) for key in keys]

    def set_many(self, items: list[tuple[str, StoredValue]], now: float) -> None:
        for key, stored in items:
            self.set(key, stored, now)


class RedisTier:
    """Exact-key results shared by every worker. JSON only: no pickle is ever read from Redis."""

    name = Tier.L2

    def __init__(self, alias: str, breaker: CircuitBreaker):
        self.alias = alias
        self.breaker = breaker

    @property
    def client(self) -> redis.Redis:
        return get_redis_connection(self.alias)

    def get(self, key: str, now: float) -> StoredValue | None:
        if self.breaker.is_open:
            return None
        try:
            raw = self.client.get(REDIS_KEY_PREFIX + key)
        except REDIS_ERRORS as exc:
            self.breaker.record_failure(exc)
            return None
        if raw is None:
            return None
        stored = StoredValue.from_json(raw)
        return stored if stored.expires_at > now else None

    def get_many(self, keys: list[str], now: float) -> list[StoredValue | None]:
        """`get` of several keys in one round trip (MGET)."""
        if self.breaker.is_open or not keys:
            return [None] * len(keys)
        try:
            raws = self.client.mget([REDIS_KEY_PREFIX + key for key in keys])
        except REDIS_ERRORS as exc:
            self.breaker.record_failure(exc)
            return [None] * len(keys)
        stored = [None if raw is None else StoredValue.from_json(raw) for raw in raws]
        return [value if value is not None and value.expires_at > now else None for value in stored]

    def set(self, key: str, stored: StoredValue, now: float) -> None:
        """Keep `stored` until its expiry (by the cache's clock `now`)."""
        self.set_many([(key, stored)], now)

    def set_many(self, items: list[tuple[str, StoredValue]], now: float) -> None:
        """`set` of several keys in one round trip (a pipeline, not a transaction)."""
        if self.breaker.is_open or not items:
            return
        try:
            if len(items) == 1:
                key, stored = items[0]
                self.client.set(REDIS_KEY_PREFIX + key, stored.to_json(), px=_ttl_ms(stored, now))
                return
            pipe = self.client.pipeline(transaction=False)
            for key, stored in items:
                pipe.set(REDIS_KEY_PREFIX + key, stored.to_json(), px=_ttl_ms(stored, now))
            pipe.execute()
        except REDIS_ERRORS as exc:
            self.breaker.record_failure(exc)

    def claim_once(self, name: str, seconds: int = 86400) -> bool:
        """True for the first caller to claim `name` within `seconds` (what makes a task safe to run twice); also
        True when Redis cannot be asked (counting twice beats never counting)."""
        if self.breaker.is_open:
            return True
        try:
            return bool(self.client.set(REDIS_KEY_PREFIX + name, b"1", nx=True, ex=seconds))
        except REDIS_ERRORS as exc:
            self.breaker.record_failure(exc)
            return True

    def delete_matching(self, pattern: str) -> int:
        """Delete keys matching a glob (SCAN, never KEYS, so Redis is not blocked)."""
        if self.breaker.is_open:
            return 0
        try:
            client = self.client
            deleted = 0
            batch = []
            for key in client.scan_iter(match=REDIS_KEY_PREFIX + pattern, count=1000):
                batch.append(key)
                if len(batch) >= 500:
                    deleted += client.delete(*batch)
                    batch = []
            if batch:
                deleted += client.delete(*batch)
            return deleted
        except REDIS_ERRORS as exc:
            self.breaker.record_failure(exc)
            return 0


@dataclass(frozen=True)
class SemanticKey:
    """What an L3 entry is filed under; a match must agree on every field (the fingerprint only when guarded)."""

    kind: str
    scope: str
    version: str
    model: str
    prompt_version: str
    context_hash: str
    fingerprint: str

    def filters(self, *, guarded: bool) -> dict:
        fields = asdict(self)
        if not guarded:
            del fields["fingerprint"]
        return fields


@dataclass
class SemanticMatch:
    stored: StoredValue
    similarity: float
    entry_id: int


class SemanticTier:
    """Nearest stored text with the same key (scope, kind, versions, question and, guarded, meaning fingerprint);
    PostgreSQL+pgvector."""

    name = Tier.L3

    def __init__(self, breaker: CircuitBreaker):
        self.breaker = breaker
        # Hits counted in memory until `flush_hits` writes them: an UPDATE (and its commit) on the look-up would cost
        # more than the look-up's own query.
        self._pending_hits: Counter[int] = Counter()
        self._last_hit_at: dict[int, datetime] = {}
        self._hits_lock = threading.Lock()

    def _failed(self, exc: BaseException) -> None:
        self.breaker.record_failure(exc)
        if not connection.in_atomic_block:
            # Drop the broken connection so the first look-up after PostgreSQL is back opens a fresh one.
            connection.close()

    def nearest(self, key: SemanticKey, embedding, now: float, *, guarded: bool = True) -> SemanticMatch | None:
        """The nearest live entry filed under `key` (None when there is none or the tier is down).

        `guarded=False` drops the fingerprint condition (only for measuring what the guard is worth). With the
        fingerprint in the filter the planner uses the btree index and sorts the few rows left: one round trip.
        Without it, the HNSW index with pgvector's iterative scan (set for the query's transaction), so the SQL
        filters do not starve the index scan of candidates.
        """
        return self.nearest_many([(key, embedding)], now, guarded=guarded)[0]

    def nearest_many(self, queries: list[tuple[SemanticKey, object]], now: float, *,
                     guarded: bool = True) -> list[SemanticMatch | None]:
        """`nearest` of several (key, embedding) look-ups in one statement (UNION ALL of each one's query), in
        order; a vector shared by several look-ups (a turn's intent and facts) is encoded once."""
        if self.breaker.is_open or not queries:
            return [None] * len(queries)
        encoded: dict[int, str] = {}
        statements, params = [], []
        expires_after = _as_datetime(now)
        for position, (key, embedding) in enumerate(queries):
            filters = key.filters(guarded=guarded)
            if id(embedding) not in encoded:
                encoded[id(embedding)] = Vector._to_db(embedding)
            statements.append(f"({_nearest_sql(tuple(filters))})")
            params += [position, encoded[id(embedding)], *filters.values(), expires_after]
        sql = " UNION ALL ".join(statements)

        def fetch():
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()

        try:
            rows = fetch() if guarded else self._with_iterative_scan(fetch)
        except DATABASE_ERRORS as exc:
            self._failed(exc)
            return [None] * len(queries)
        found: list[SemanticMatch | None] = [None] * len(queries)
        for position, entry_id, value, cost, tokens, expires_at, distance in rows:
            value = json.loads(value) if isinstance(value, str) else value
            found[position] = SemanticMatch(StoredValue(value, float(cost), tokens, expires_at.timestamp()),
                                            1.0 - float(distance), entry_id)
        return found

    def refused_neighbour(self, entry_id: int) -> tuple[str, float] | None:
        """(kind, similarity) of the nearest live entry stored before `entry_id` under the same key but another
        meaning fingerprint: what similarity alone would have served instead of computing that entry. None when
        there is no such entry (or the entry is gone)."""
        try:
            entry = SemanticCacheEntry.objects.filter(pk=entry_id).values(
                "kind", "scope", "version", "model", "prompt_version", "context_hash", "fingerprint", "embedding").first()
            if entry is None:
                return None
            candidates = (SemanticCacheEntry.objects.filter(
                kind=entry["kind"], scope=entry["scope"], version=entry["version"], model=entry["model"],
                prompt_version=entry["prompt_version"], context_hash=entry["context_hash"], id__lt=entry_id,
                expires_at__gt=timezone.now()).exclude(fingerprint=entry["fingerprint"]))
            found = self._with_iterative_scan(lambda: list(self._nearest_rows(candidates, entry["embedding"])))
        except DATABASE_ERRORS as exc:
            self._failed(exc)
            return None
        return (entry["kind"], 1.0 - float(found[0][-1])) if found else None

    @staticmethod
    def _nearest_rows(entries, embedding):
        return (entries.annotate(distance=CosineDistance("embedding", embedding)).order_by("distance")
                .values_list("id", "value", "cost_usd", "tokens", "expires_at", "distance")[:1])

    @staticmethod
    def _with_iterative_scan(fetch):
        """`fetch()` in a transaction of its own with pgvector's iterative HNSW scan, for queries whose SQL filters
        would otherwise starve the index scan of candidates."""
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL hnsw.iterative_scan = relaxed_order; SET LOCAL hnsw.ef_search = 40")
            return fetch()

    def record_hit(self, entry_id: int) -> None:
        """Count a hit of `entry_id` (in memory; `flush_hits` writes the counts)."""
        with self._hits_lock:
            self._pending_hits[entry_id] += 1
            self._last_hit_at[entry_id] = timezone.now()

    def flush_hits(self) -> int:
        """Write the hits counted since the last flush in one statement; the number of entries updated. Counts that
        cannot be written (PostgreSQL down) are kept for the next flush."""
        with self._hits_lock:
            pending, last_hit_at = self._pending_hits, self._last_hit_at
            self._pending_hits, self._last_hit_at = Counter(), {}
        if not pending:
            return 0
        ids = list(pending)
        try:
            with connection.cursor() as cursor:
                cursor.execute(_FLUSH_HITS_SQL, [ids, [pending[i] for i in ids], [last_hit_at[i] for i in ids]])
                return cursor.rowcount
        except DATABASE_ERRORS as exc:
            self._failed(exc)
            with self._hits_lock:
                self._pending_hits.update(pending)
                for entry_id, at in last_hit_at.items():
                    self._last_hit_at.setdefault(entry_id, at)
            return 0

    def store(self, key: SemanticKey, text: str, embedding, stored: StoredValue) -> int | None:
        """The new entry's id (None when the tier is down)."""
        if self.breaker.is_open:
            return None
        try:
            return SemanticCacheEntry.objects.create(
                **key.filters(guarded=True), text=text[:2000], embedding=embedding, value=stored.value,
                cost_usd=stored.cost_usd, tokens=stored.tokens, expires_at=_as_datetime(stored.expires_at),
            ).pk
        except DATABASE_ERRORS as exc:
            self._failed(exc)
            return None

    def delete(self, **filters) -> int:
        try:
            return SemanticCacheEntry.objects.filter(**filters).delete()[0]
        except DATABASE_ERRORS as exc:
            self._failed(exc)
            return 0

    def purge_expired(self, batch_size: int = 5000) -> int:
        """Rows past their expiry by the wall clock (a simulated clock's rows are the benchmark's to delete)."""
        total = 0
        while True:
            ids = list(SemanticCacheEntry.objects.filter(expires_at__lte=timezone.now()).values_list("id", flat=True)[:batch_size])
            if not ids:
                return total
            total += SemanticCacheEntry.objects.filter(id__in=ids).delete()[0]
