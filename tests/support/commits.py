"""What a transaction left to do on commit, told apart: the tasks it queues, and the domain events it announces."""

from leads.events import LeadEventAnnouncement


def tasks_queued(callbacks) -> list:
    """The on-commit callbacks other than the lead's domain events (leads.events, announced on commit too)."""
    return [callback for callback in callbacks if not isinstance(callback, LeadEventAnnouncement)]
