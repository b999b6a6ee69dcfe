"""L1: a bounded, thread-safe, in-process LRU with per-entry TTL, and a window of recent items per owner."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import Any


@dataclass
class LocalEntry:
    value: Any
    expires_at: float
    size: int


class LocalLRU:
    """Evicts the least recently used entry when either bound (entries or bytes) would be exceeded."""

    def __init__(self, max_entries: int, max_bytes: int):
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, LocalEntry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str, now: float | None = None):
        """The live value, or None. `now` is epoch seconds of the caller's clock (default: the wall clock)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry.expires_at <= (time.time() if now is None else now):
                self._remove(key)
                return None
            self._entries.move_to_end(key)
            return entry.value

    def set(self, key: str, value, expires_at: float, size: int) -> None:
        """Keep `value` until `expires_at` (epoch seconds)."""
        if size > self.max_bytes:
            return
        with self._lock:
            if key in self._entries:
                self._remove(key)
            self._entries[key] = LocalEntry(value, expires_at, size)
            self._bytes += size
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                self._remove(next(iter(self._entries)))

    def delete_where(self, predicate) -> int:
        with self._lock:
            doomed = [key for key in self._entries if predicate(key)]
            for key in doomed:
                self._remove(key)
            return len(doomed)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def stats(self) -> dict:
        with self._lock:
            return {"entries": len(self._entries), "bytes": self._bytes}

    def _remove(self, key: str) -> None:
        self._bytes -= self._entries.pop(key).size


class RecentItems:
    """The last `per_owner` items of the most recently active owners (a contact's last messages, for sequential
    memory look-ups without a database round trip). Bounded in owners and items; items are dicts with an "id"."""

    def __init__(self, per_owner: int, max_owners: int):
        self.per_owner = per_owner
        self.max_owners = max_owners
        self._by_owner: OrderedDict[str, deque] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, owner: str, item: dict) -> None:
        with self._lock:
            items = self._by_owner.get(owner)
            if items is None:
                items = self._by_owner[owner] = deque(maxlen=self.per_owner)
            if not any(known.get("id") == item.get("id") for known in items if item.get("id") is not None):
                items.append(item)
            self._touch(owner)

    def replace(self, owner: str, items: list[dict]) -> None:
        with self._lock:
            self._by_owner[owner] = deque(items[-self.per_owner:], maxlen=self.per_owner)
            self._touch(owner)

    def get(self, owner: str, limit: int) -> list[dict] | None:
        """The newest `limit` items oldest first, or None when this process does not hold the owner."""
        with self._lock:
            items = self._by_owner.get(owner)
            if items is None:
                return None
            self._by_owner.move_to_end(owner)
            return list(items)[-limit:]

    def forget(self, owner: str) -> None:
        with self._lock:
            self._by_owner.pop(owner, None)

    def _touch(self, owner: str) -> None:
        self._by_owner.move_to_end(owner)
        while len(self._by_owner) > self.max_owners:
            self._by_owner.popitem(last=False)
