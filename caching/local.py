"""L1: a bounded, thread-safe, in-process LRU with per-entry TTL, and the last messages of each contact."""

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


class RecentMessages:
    """The last `per_contact` messages of the most recently active contacts, for sequential memory look-ups
    ("what did you just say?") without a database round trip. Bounded in contacts and messages."""

    def __init__(self, per_contact: int, max_contacts: int):
        self.per_contact = per_contact
        self.max_contacts = max_contacts
        self._by_contact: OrderedDict[int, deque] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, contact_id: int, message: dict) -> None:
        with self._lock:
            messages = self._by_contact.get(contact_id)
            if messages is None:
                messages = self._by_contact[contact_id] = deque(maxlen=self.per_contact)
            if not any(known.get("id") == message.get("id") for known in messages if message.get("id") is not None):
                messages.append(message)
            self._by_contact.move_to_end(contact_id)
            while len(self._by_contact) > self.max_contacts:
                self._by_contact.popitem(last=False)

    def replace(self, contact_id: int, messages: list[dict]) -> None:
        with self._lock:
            self._by_contact[contact_id] = deque(messages[-self.per_contact:], maxlen=self.per_contact)
            self._by_contact.move_to_end(contact_id)
            while len(self._by_contact) > self.max_contacts:
                self._by_contact.popitem(last=False)

    def get(self, contact_id: int, limit: int) -> list[dict] | None:
        """The newest `limit` messages oldest first, or None when this process does not hold the contact."""
        with self._lock:
            messages = self._by_contact.get(contact_id)
            if messages is None:
                return None
            self._by_contact.move_to_end(contact_id)
            return list(messages)[-limit:]

    def forget(self, contact_id: int) -> None:
        with self._lock:
            self._by_contact.pop(contact_id, None)
