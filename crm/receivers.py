"""Thin receivers: each domain event (leads.events) becomes deliveries to the endpoints subscribed to it."""

import logging

from crm import services
from crm.catalog import signals

logger = logging.getLogger(__name__)


def _receiver_for(event: str):
    def receive(sender, contact_id: int, payload: dict, **kwargs):
        # Whoever sent the event (a turn, a claim, a booking) has committed its change; a CRM sync that cannot
        # record the deliveries (its database away) is logged here and never fails the sender's work.
        try:
            services.event_record(event=event, contact_id=contact_id, payload=payload)
        except Exception:
            logger.exception("contact %s: the %s event was not recorded for the CRM endpoints", contact_id, event)

    receive.__name__ = f"record_{event.replace('.', '_')}"
    return receive


# Kept referenced: signals hold their receivers weakly.
RECEIVERS = {event: _receiver_for(event) for event in signals()}
for _event, _signal in signals().items():
    _signal.connect(RECEIVERS[_event], dispatch_uid=f"crm:{_event}")
