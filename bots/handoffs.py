"""Telling agents of a handoff, once per handoff: routing gives or offers the lead to agents (team), and the fixed
list (AGENT_ALERT_EMAILS, AGENT_ALERT_PHONE) hears of it when routing tells nobody."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from leads.models import Contact
from team.services import alert_fixed_list, route_lead


def route_handoff(contact_id: int) -> bool | None:
    """In the caller's transaction: mark the contact's handoff as told and route it. None when there is nothing to
    tell (no handoff, or this one was told already); True when routing told someone (its alerts go out on commit);
    False when nobody was, so the caller tells the fixed list once this commits."""
    contact = Contact.objects.select_for_update().get(pk=contact_id)
    if not contact.needs_agent or (contact.agent_alerted_at and contact.agent_alerted_at >= contact.handoff_at):
        return None
    contact.agent_alerted_at = timezone.now()
    contact.save(update_fields=["agent_alerted_at"])
    return route_lead(contact.pk) is not None


def alert_agents(contact_id: int) -> bool:
    """Tell agents of the contact's handoff unless they were told; True when this call told them."""
    with transaction.atomic():
        routed = route_handoff(contact_id)
    if routed is None:
        return False
    if not routed:
        alert_fixed_list(Contact.objects.get(pk=contact_id))
    return True
