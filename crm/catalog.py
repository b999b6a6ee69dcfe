"""The events endpoints subscribe to (data/events.toml): their names in the webhook contract, and the domain event
(leads.events) each one is."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.dispatch import Signal

from leads import events as domain_events
from leads.data_files import read_toml

DATA = Path(__file__).resolve().parent / "data"


def _events() -> dict[str, dict]:
    return read_toml(DATA / "events.toml")["events"]


def follow_up_boss_wording() -> dict:
    return read_toml(DATA / "follow_up_boss.toml")


def event_names() -> list[str]:
    return list(_events())


def event_choices() -> list[tuple[str, str]]:
    return [(name, event["label"]) for name, event in _events().items()]


def signals() -> dict[str, Signal]:
    """Each event name with the domain signal it is sent on."""
    return {name: getattr(domain_events, event["signal"]) for name, event in _events().items()}


def validate_event_names(value) -> None:
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        raise ValidationError("a list of event names")
    unknown = sorted(set(value) - set(_events()))
    if unknown:
        raise ValidationError(f"unknown events: {', '.join(unknown)} (known: {', '.join(_events())})")
