"""What is POSTed for an event: our own JSON (the documented shape, README "CRM sync"), or Follow Up Boss's.

Ours: {"event", "id", "occurred_at", "contact": {"id", "name", "phone", "email", "lead_type", "temperature", "facts",
"source"}, "data"}: `id` is the event's (the same at every endpoint and in every retry, so a receiver can drop a
repeat), `data` what happened (leads.events documents each event's payload).

Follow Up Boss's, as its API documents POST /v1/events (docs.followupboss.com/reference/events-post and
/reference/identification, read 2026-12): `source` (the lead's marketing source), `system` (the registered system's
name, as in X-System), `type` (one of the types that run FUB's action plans), `message`, `description`,
`occurredAt`, and `person` with `firstName`, `lastName`, `phones` and `emails` as [{"value": ...}] and `tags`."""

from datetime import datetime

from django.conf import settings

from crm.catalog import follow_up_boss_wording
from leads.facts import facts_for_display
from leads.models import Contact


def contact_snapshot(contact: Contact) -> dict:
    return {"id": contact.pk, "name": contact.name, "phone": contact.phone, "email": contact.email,
            "lead_type": contact.lead_type, "temperature": contact.temperature, "facts": contact.facts,
            "source": contact.source}


def event_body(*, event: str, event_id: str, occurred_at: datetime, contact: Contact, payload: dict) -> dict:
    return {"event": event, "id": event_id, "occurred_at": occurred_at.isoformat(),
            "contact": contact_snapshot(contact), "data": payload}


def follow_up_boss_body(*, event: str, occurred_at: datetime, contact: Contact, payload: dict) -> dict:
    words = follow_up_boss_wording()
    web_lead_created = event == "lead.created" and payload.get("via") == "web_lead"
    fub_type = words["types"]["web_lead_created"] if web_lead_created else words["types"].get(
        contact.lead_type, words["types"]["unknown"])
    template = words["messages"].get(f"{event}.web_lead" if web_lead_created else event, event)
    first_name, _, last_name = contact.name.strip().partition(" ")
    person = {"firstName": first_name, "lastName": last_name.strip(), "phones": [{"value": contact.phone}],
              "tags": _tags(contact, words["tags"])}
    if contact.email:
        person["emails"] = [{"value": contact.email}]
    return {
        "source": contact.source or settings.FOLLOW_UP_BOSS_SOURCE,
        "system": settings.FOLLOW_UP_BOSS_SYSTEM,
        "type": fub_type,
        "message": template.format_map(_Blank(_flatten(payload))),
        "description": "; ".join(f"{label}: {value}" for label, value in facts_for_display(contact.facts)),
        "occurredAt": occurred_at.isoformat(),
        "person": person,
    }


def _tags(contact: Contact, tags: dict) -> list[str]:
    found = [tags["temperature"].get(contact.temperature), tags["lead_type"].get(contact.lead_type)]
    return [*tags["always"], *(tag for tag in found if tag)]


def _flatten(payload: dict, prefix: str = "") -> dict:
    """{"agent": {"name": "Dana"}} -> {"agent_name": "Dana"}: what a message's placeholders name."""
    flat = {}
    for key, value in payload.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}_"))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


class _Blank(dict):
    """A placeholder the event's data does not have reads as nothing, rather than failing the delivery."""

    def __missing__(self, key):
        return ""
