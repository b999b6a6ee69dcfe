"""Reads of the team: who may get a lead, who has one, and how it got there."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model

from leads.models import Contact
from team.eligibility import lead_wants, profile_takes
from team.models import AgentProfile, LeadAssignment, RoutingEvent, RoutingEventKind, RoutingGroup


def team_has_agents() -> bool:
    """Routing runs once the team has an agent profile; until then handoffs go to the fixed alert list."""
    return AgentProfile.objects.exists()


def eligible_members(group: RoutingGroup, contact: Contact) -> list[AgentProfile]:
    """The group's members who take new leads and whose rules take this one, in a stable order."""
    wants = lead_wants(contact)
    members = group.members.filter(accepting_leads=True).select_related("user").order_by("id")
    return [profile for profile in members if profile.user.is_active and profile_takes(profile, wants)]


def eligible_agents(contact: Contact) -> list[AgentProfile]:
    """Every agent taking new leads whose rules take this one (a team without routing groups routes among them)."""
    wants = lead_wants(contact)
    return [profile for profile in pond_members() if profile_takes(profile, wants)]


def pond_members() -> list[AgentProfile]:
    """Everyone the shared pond offers a lead to: every active agent taking new leads, whatever their rules."""
    return list(AgentProfile.objects.filter(accepting_leads=True, user__is_active=True).select_related("user")
                .order_by("id"))


def routing_owner():
    """Who gets a lead nobody else could take: the user with ROUTING_OWNER_EMAIL, else the first superuser."""
    users = get_user_model().objects.filter(is_active=True)
    if settings.ROUTING_OWNER_EMAIL:
        owner = users.filter(email__iexact=settings.ROUTING_OWNER_EMAIL).order_by("id").first()
        if owner is not None:
            return owner
    return users.filter(is_superuser=True).order_by("id").first()


def lead_assignment(contact: Contact) -> LeadAssignment | None:
    return lead_assignment_of(contact.pk)


def lead_assignment_of(contact_id: int) -> LeadAssignment | None:
    return LeadAssignment.objects.select_related("agent", "group", "contact").filter(contact_id=contact_id).first()


def routing_history(contact: Contact) -> list[RoutingEvent]:
    return list(RoutingEvent.objects.filter(contact=contact).select_related("agent", "actor"))


def was_offered(*, contact_id: int, agent_id: int, offer_round: int) -> bool:
    return RoutingEvent.objects.filter(contact_id=contact_id, agent_id=agent_id, offer_round=offer_round,
                                       kind=RoutingEventKind.OFFERED).exists()


def agents_for_assignment() -> list[AgentProfile]:
    """The agents a lead can be given to by hand: every active agent with a profile, paused or not."""
    return list(AgentProfile.objects.filter(user__is_active=True).select_related("user").order_by("user__first_name",
                                                                                                   "user__username"))
