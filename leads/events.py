"""Domain events other layers may listen to (leads imports no layer above it, so it announces instead of calling)."""

import logging
from dataclasses import dataclass

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

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


@dataclass(frozen=True)
class LeadEventAnnouncement:
    """A lead event waiting for its change to commit (an on-commit callback); a listener that fails is logged and
    never undoes or breaks what the sender did (a CRM that is down must not fail an SMS turn, a claim or a booking)."""

    event: Signal
    contact_id: int
    payload: dict

    def __call__(self) -> None:
        for receiver, error in self.event.send_robust(sender=LeadEventAnnouncement, contact_id=self.contact_id,
                                                      payload=self.payload):
            if isinstance(error, Exception):
                logger.error("contact %s: a listener of a lead event failed (%s): %r", self.contact_id, receiver,
                             error, exc_info=error)


def announce_on_commit(event: Signal, contact_id: int, payload: dict) -> None:
    """Send one of the lead's events above once the caller's change commits (every layer announces through here)."""
    transaction.on_commit(LeadEventAnnouncement(event, contact_id, payload))
