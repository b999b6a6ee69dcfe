"""Cache scopes and keys: `{kind}:{scope}:v{version}:{sha256(prompt_version, model, parts)}`."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from caching.policy import CallKind

REDIS_KEY_PREFIX = "llm:"


@dataclass(frozen=True)
class Scope:
    """Who may see an entry. `global` entries hold no contact data; `contact:<id>` entries are only ever
    looked up by that contact, and carry the contact's cache version so that bumping it retires them all."""

    name: str
    version: int
    contact_id: int | None = None

    @classmethod
    def shared(cls) -> "Scope":
        return cls("global", 0)

    @classmethod
    def for_contact(cls, contact) -> "Scope":
        """`contact` is anything with a `pk` and a `cache_version`."""
        return cls(cls.contact_scope_name(contact.pk), contact.cache_version, contact.pk)

    @staticmethod
    def contact_scope_name(contact_id: int) -> str:
        return f"contact:{contact_id}"


def digest(*parts) -> str:
    canonical = json.dumps(parts, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def make_key(kind: CallKind, scope: Scope, kind_generation: int, prompt_version: str, model: str, key_parts) -> str:
    # The version joins the kind's generation (bumped by "invalidate this kind") and the scope's version
    # (bumped by a contact's temperature change), so either retires old entries in every tier at once.
    return f"{kind}:{scope.name}:v{kind_generation}.{scope.version}:{digest(prompt_version, model, key_parts)}"
