"""Domain events other layers may listen to (leads imports no layer above it, so it announces instead of calling)."""

from django.dispatch import Signal

# A contact's cache version was bumped (with `contact_id` and `version`): their cached
# results are retired; whoever holds such results may free them.
contact_cache_retired = Signal()

# The lead's life, for whoever keeps another system in step (the CRM webhooks). Each is sent with `contact_id`
# and `payload`, a JSON-ready dict of what happened, once the change is committed (senders use on_commit), so a
# listener never sees a change that was rolled back. Layers above leads send the ones they own.
lead_created = Signal()              # a new contact: payload {"via": "text" | "web_lead"}
lead_temperature_changed = Signal()  # payload: {"from": "cold", "to": "warm", "reason": "turn" | "rescore"}
# payload: {"from": "lead", "to": "buyer", "closed_reason": ""}: the bot qualifying it, or "closed" (with why)
lead_stage_changed = Signal()
lead_handed_off = Signal()           # payload: {"reason": ...}
lead_assigned = Signal()             # payload: {"agent": {"id", "name", "email"}, "how": "round_robin" | "claimed" | ...}
appointment_changed = Signal()       # payload: {"appointment_id", "status": "booked" | "moved" | "cancelled", ...}
