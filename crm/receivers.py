"""Thin receivers: each domain event (leads.events) becomes deliveries to the endpoints subscribed to it."""

from crm import services
from crm.catalog import signals


def _receiver_for(event: str):
    def receive(sender, contact_id: int, payload: dict, **kwargs):
        services.event_record(event=event, contact_id=contact_id, payload=payload)

    receive.__name__ = f"record_{event.replace('.', '_')}"
    return receive


# Kept referenced: signals hold their receivers weakly.
RECEIVERS = {event: _receiver_for(event) for event in signals()}
for _event, _signal in signals().items():
    _signal.connect(RECEIVERS[_event], dispatch_uid=f"crm:{_event}")
