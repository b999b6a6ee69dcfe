"""L1 on its own: bounds, TTL, LRU order, thread safety (pure in-process code, no services needed)."""

import threading
import time

from caching.local import LocalLRU, RecentItems


def test_evicts_least_recently_used_when_entry_bound_is_reached():
    lru = LocalLRU(max_entries=3, max_bytes=10_000)
    for key in "abc":
        lru.set(key, key.upper(), expires_at=time.time() + 60, size=10)
    assert lru.get("a") == "A"  # a is now the most recent
    lru.set("d", "D", expires_at=time.time() + 60, size=10)
    assert lru.get("b") is None and lru.get("a") == "A" and lru.get("d") == "D"
    assert lru.stats() == {"entries": 3, "bytes": 30}


def test_evicts_until_under_the_byte_bound():
    lru = LocalLRU(max_entries=100, max_bytes=100)
    lru.set("small", 1, expires_at=time.time() + 60, size=40)
    lru.set("medium", 2, expires_at=time.time() + 60, size=40)
    lru.set("large", 3, expires_at=time.time() + 60, size=60)
    assert lru.get("small") is None and lru.get("medium") == 2 and lru.get("large") == 3
    lru.set("too-big", 4, expires_at=time.time() + 60, size=101)
    assert lru.get("too-big") is None


def test_entries_expire_by_their_own_ttl():
    lru = LocalLRU(max_entries=10, max_bytes=10_000)
    lru.set("short", 1, expires_at=time.time() + 0.05, size=1)
    lru.set("long", 2, expires_at=time.time() + 60, size=1)
    time.sleep(0.08)
    assert lru.get("short") is None and lru.get("long") == 2
    assert lru.stats()["entries"] == 1


def test_concurrent_writers_keep_the_bounds():
    lru = LocalLRU(max_entries=50, max_bytes=400)

    def hammer(worker):
        for i in range(2000):
            lru.set(f"{worker}:{i % 80}", i, expires_at=time.time() + 60, size=7)
            lru.get(f"{(worker + 1) % 8}:{i % 80}")

    threads = [threading.Thread(target=hammer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stats = lru.stats()
    assert stats["entries"] <= 50 and stats["bytes"] <= 400
    assert stats["bytes"] == 7 * stats["entries"]


def test_recent_items_keep_the_last_n_per_owner_and_bound_owners():
    recent = RecentItems(per_owner=3, max_owners=2)
    for i in range(5):
        recent.add(1, {"id": i, "body": f"m{i}"})
    assert [m["id"] for m in recent.get(1, 10)] == [2, 3, 4]
    assert [m["id"] for m in recent.get(1, 2)] == [3, 4]
    recent.add(1, {"id": 4, "body": "m4"})  # a message seen twice is kept once
    assert len(recent.get(1, 10)) == 3
    recent.add(2, {"id": 10})
    recent.add(3, {"id": 20})
    assert recent.get(1, 1) is None  # least recently active contact dropped
    assert recent.get(3, 1) == [{"id": 20}]
