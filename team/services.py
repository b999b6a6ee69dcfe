"""Routing a handed-off lead to one agent, and the writes around it: claims, fallback, reassignment by hand.

A handoff walks the routing groups in order. In a round-robin group the eligible member who had a lead least
recently gets it (the order is stored on the profiles and read under their row locks, so it survives restarts and
two handoffs at once do not pick the same agent). A first-to-claim group alerts every eligible member with a
claim link; the first claim wins (a conditional UPDATE: of two agents at once one row is changed, the other is told
who has it), and an offer unclaimed after the group's timeout falls back to the next group (the beat task). A group
with nobody eligible is passed over. After the last group the lead goes to the shared pond (every accepting agent
is offered it, no timeout) or the owner (settings.ROUTING_AFTER_LAST_GROUP); with nobody there either it stays
unrouted and the caller tells the fixed alert list, as a team without agent profiles always does.

Each step is a RoutingEvent. Alerts and the `lead_assigned` event go out once the step commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from leads.data_files import read_toml
from leads.events import announce_on_commit, lead_assigned
from leads.models import Contact
from sms.outbound import send_agent_alert_sms
from team import selectors
from team.claim_links import ClaimTicket, claim_url
from team.models import (AgentProfile, AssignmentHow, AssignmentStatus, LeadAssignment, RoutingEvent,
                         RoutingEventKind, RoutingGroup, RoutingMode)

ALERTS = Path(__file__).resolve().parent / "data" / "alerts.toml"
OPEN = (AssignmentStatus.OFFERED, AssignmentStatus.POND)


@dataclass(frozen=True)
class Alert:
    phone: str
    email: str
    sms: str
    subject: str
    body: str


@dataclass(frozen=True)
class ClaimOutcome:
    won: bool
    message: str          # what happened, in words, for the agent who clicked
    holder: object = None  # the user who has the lead (the claimant when won)


# --- routing a handoff --------------------------------------------------------------------------------------------

def route_lead(contact_id: int) -> LeadAssignment | None:
    """Route a handed-off lead; returns its assignment, or None when nobody was told (a team without agent
    profiles, or nobody able to take it), in which case the caller alerts the fixed list."""
    if not selectors.team_has_agents():
        return None
    with transaction.atomic():
        contact = Contact.objects.get(pk=contact_id)
        LeadAssignment.objects.get_or_create(contact=contact)
        assignment = LeadAssignment.objects.select_for_update().get(contact=contact)
        if assignment.status == AssignmentStatus.ASSIGNED and assignment.agent_id:
            # Handed off again while an agent has it: that agent hears of it, the lead stays theirs.
            _alert_on_commit([_assigned_alert(contact, assignment.agent, "yours already; the bot handed off again")])
            return assignment
        if assignment.status in OPEN:
            return assignment  # an offer is open: its alerts went out, and it claims or falls back by itself
        _route_from(assignment, contact, after_order=None)
    return None if assignment.status == AssignmentStatus.UNROUTED else assignment


def fall_back_unclaimed_leads() -> list[int]:
    """Move every first-to-claim offer past its timeout to the next group (or the pond or owner); returns the
    contacts moved. One row at a time under its lock, skipping rows another worker holds, so two workers (or
    a run that repeats) never move one offer twice."""
    moved: list[int] = []
    while True:
        with transaction.atomic():
            assignment = (LeadAssignment.objects.select_for_update(skip_locked=True)
                          .filter(status=AssignmentStatus.OFFERED, offer_expires_at__lte=timezone.now())
                          .exclude(contact_id__in=moved).order_by("offer_expires_at").first())
            if assignment is None:
                return moved
            contact = Contact.objects.get(pk=assignment.contact_id)
            group_name = assignment.group.name if assignment.group else f"group {assignment.group_order}"
            _event(contact, RoutingEventKind.FELL_BACK, offer_round=assignment.offer_round, group_name=group_name,
                   note=f"nobody claimed it in {group_name} before the offer timed out")
            _route_from(assignment, contact, after_order=assignment.group_order)
            moved.append(contact.pk)


def _route_from(assignment: LeadAssignment, contact: Contact, *, after_order: int | None) -> None:
    """Offer or give the lead to the first group after `after_order` (from the first group when None) with
    someone eligible, then the pond or the owner. The caller holds the assignment's row lock."""
    groups = RoutingGroup.objects.order_by("order")
    if after_order is None and not groups.exists():
        # No routing groups set up: the whole team is one round robin, among the agents whose rules take the lead.
        eligible = selectors.eligible_agents(contact)
        if eligible:
            _assign(assignment, contact, _next_in_turn(eligible), how=AssignmentHow.ROUND_ROBIN, group=None)
            return
    if after_order is not None:
        groups = groups.filter(order__gt=after_order)
    for group in groups:
        eligible = selectors.eligible_members(group, contact)
        if not eligible:
            _event(contact, RoutingEventKind.FELL_BACK, offer_round=assignment.offer_round, group_name=group.name,
                   note=f"passed over {group.name}: nobody in it takes this lead now")
            continue
        if group.mode == RoutingMode.ROUND_ROBIN:
            agent = _next_in_turn(eligible)
            _assign(assignment, contact, agent, how=AssignmentHow.ROUND_ROBIN, group=group)
        else:
            _offer(assignment, contact, eligible, group=group)
        return
    if settings.ROUTING_AFTER_LAST_GROUP == "pond":
        pond = selectors.pond_members()
        if len(pond) == 1:  # a pond of one: nobody else could claim it, so it is theirs now
            _assign(assignment, contact, pond[0].user, how=AssignmentHow.ROUND_ROBIN, group=None)
            return
        if pond:
            _offer(assignment, contact, pond, group=None)
            return
    owner = selectors.routing_owner()
    if owner is not None:
        _assign(assignment, contact, owner, how=AssignmentHow.OWNER, group=None)
        return
    assignment.status, assignment.group, assignment.offer_expires_at = AssignmentStatus.UNROUTED, None, None
    assignment.save(update_fields=["status", "group", "offer_expires_at"])
    _event(contact, RoutingEventKind.NOT_ROUTED, offer_round=assignment.offer_round,
           note="nobody could take it (no group, pond or owner): the fixed alert list was told")
    if after_order is not None:
        # An offer that fell back to nobody: no caller is left to tell the fixed list, so routing does.
        transaction.on_commit(lambda: alert_fixed_list(contact), robust=True)


def alert_fixed_list(contact: Contact) -> None:
    """What a handoff told before routing, and still tells when routing finds nobody: AGENT_ALERT_EMAILS by
    e-mail and AGENT_ALERT_PHONE by SMS, when set."""
    wording = _wording()["fixed_list"]
    fields = {"lead": _lead_line(contact), "reason": contact.handoff_reason, "link": _contact_url(contact),
              "phone": contact.phone}
    text = wording["text"].format(**fields)
    if settings.AGENT_ALERT_EMAILS:
        send_mail(wording["subject"].format(**fields), text, settings.DEFAULT_FROM_EMAIL, settings.AGENT_ALERT_EMAILS)
    send_agent_alert_sms(text)


def _next_in_turn(eligible: list[AgentProfile]):
    """The eligible agent who had a lead least recently (never first), read under the profiles' row locks: a
    second routing at the same moment waits and then sees this one's choice."""
    # Locked in one order (by id) everywhere, so two routings over overlapping groups cannot deadlock.
    locked = list(AgentProfile.objects.select_for_update(of=("self",)).filter(pk__in=[p.pk for p in eligible])
                  .select_related("user").order_by("pk"))
    def turn(profile):
        had = profile.last_lead_at
        return (had is not None, had.timestamp() if had else 0.0, profile.pk)

    return min(locked, key=turn).user


def _offer(assignment: LeadAssignment, contact: Contact, profiles: list[AgentProfile], *,
           group: RoutingGroup | None) -> None:
    assignment.offer_round += 1
    assignment.status = AssignmentStatus.OFFERED if group else AssignmentStatus.POND
    assignment.group = group
    assignment.group_order = group.order if group else assignment.group_order
    assignment.offer_expires_at = timezone.now() + timedelta(minutes=group.claim_timeout_minutes) if group else None
    assignment.save(update_fields=["offer_round", "status", "group", "group_order", "offer_expires_at"])
    group_name = group.name if group else "shared pond"
    if group is None:
        _event(contact, RoutingEventKind.POND, offer_round=assignment.offer_round, group_name=group_name,
               note=f"offered to every accepting agent ({len(profiles)})")
    alerts = []
    for profile in profiles:
        _event(contact, RoutingEventKind.OFFERED, agent=profile.user, offer_round=assignment.offer_round,
               group_name=group_name)
        alerts.append(_offer_alert(contact, profile, assignment.offer_round, group))
    _alert_on_commit(alerts)


def _assign(assignment: LeadAssignment, contact: Contact, agent, *, how: str, group: RoutingGroup | None,
            actor=None) -> None:
    now = timezone.now()
    assignment.agent, assignment.assigned_at, assignment.status, assignment.how = agent, now, AssignmentStatus.ASSIGNED, how
    assignment.group, assignment.offer_expires_at = group, None
    if group:
        assignment.group_order = group.order
    assignment.save(update_fields=["agent", "assigned_at", "status", "how", "group", "group_order", "offer_expires_at"])
    kind = {AssignmentHow.ROUND_ROBIN: RoutingEventKind.ASSIGNED, AssignmentHow.OWNER: RoutingEventKind.OWNER,
            AssignmentHow.REASSIGNED: RoutingEventKind.REASSIGNED}[how]
    _event(contact, kind, agent=agent, actor=actor, offer_round=assignment.offer_round,
           group_name=group.name if group else "")
    _had_a_lead(agent, now)
    _announce_assigned(contact.pk, agent, how)
    by = f"given to you by {_name(actor)}" if actor else AssignmentHow(how).label.lower()
    _alert_on_commit([_assigned_alert(contact, agent, by)])


# --- claims and reassignment --------------------------------------------------------------------------------------

def claim_lead(*, ticket: ClaimTicket, user) -> ClaimOutcome:
    """The agent of a claim link takes the lead, if the offer it came with is still open. Atomic: the UPDATE
    matches only an unclaimed row of the link's round, so of two agents claiming at once exactly one wins."""
    if user.pk != ticket.agent_id:
        return ClaimOutcome(False, "This claim link was sent to another agent: only they can claim with it.")
    if not selectors.was_offered(contact_id=ticket.contact_id, agent_id=user.pk, offer_round=ticket.offer_round):
        return ClaimOutcome(False, "This lead was not offered to you with this link.")
    with transaction.atomic():
        now = timezone.now()
        won = LeadAssignment.objects.filter(
            contact_id=ticket.contact_id, agent__isnull=True, status__in=OPEN, offer_round=ticket.offer_round,
        ).update(agent=user, assigned_at=now, status=AssignmentStatus.ASSIGNED, how=AssignmentHow.CLAIMED,
                 offer_expires_at=None)
        assignment = LeadAssignment.objects.select_related("agent", "contact").get(contact_id=ticket.contact_id)
        if won:
            _event(assignment.contact, RoutingEventKind.CLAIMED, agent=user, offer_round=ticket.offer_round,
                   group_name=assignment.group.name if assignment.group else "shared pond")
            _had_a_lead(user, now)
            _announce_assigned(ticket.contact_id, user, AssignmentHow.CLAIMED)
            return ClaimOutcome(True, f"The lead is yours: {_lead_line(assignment.contact)}.", holder=user)
    if assignment.agent_id == user.pk:
        return ClaimOutcome(False, "You have this lead already.", holder=user)
    if assignment.agent_id:
        return ClaimOutcome(False, f"Already claimed by {_name(assignment.agent)}.", holder=assignment.agent)
    return ClaimOutcome(False, "This offer has moved on (it timed out and went to the next group); "
                               "a newer offer, if you are in it, has its own link.")


def reassign_lead(*, contact: Contact, agent, by) -> LeadAssignment:
    """An agent gives the lead to another agent (or takes it) by hand, whatever its routing state."""
    with transaction.atomic():
        LeadAssignment.objects.get_or_create(contact=contact)
        assignment = LeadAssignment.objects.select_for_update().get(contact=contact)
        _assign(assignment, contact, agent, how=AssignmentHow.REASSIGNED, group=None, actor=by)
    return assignment


# --- helpers ------------------------------------------------------------------------------------------------------

def _event(contact: Contact, kind: str, *, agent=None, actor=None, offer_round: int = 0, group_name: str = "",
           note: str = "") -> RoutingEvent:
    return RoutingEvent.objects.create(contact=contact, kind=kind, agent=agent, actor=actor, offer_round=offer_round,
                                       group_name=group_name, note=note)


def _had_a_lead(agent, moment) -> None:
    # Every way of getting a lead counts for round robin's turn: an agent who just claimed one waits their turn.
    AgentProfile.objects.filter(user=agent).update(last_lead_at=moment)


def _announce_assigned(contact_id: int, agent, how: str) -> None:
    payload = {"agent": {"id": agent.pk, "name": _name(agent), "email": agent.email}, "how": how}
    announce_on_commit(lead_assigned, contact_id, payload)


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def _lead_line(contact: Contact) -> str:
    return (f"{contact.name or 'unnamed'} {contact.phone} ({contact.get_temperature_display()}, "
            f"{contact.get_lead_type_display()})")


def _contact_url(contact: Contact) -> str:
    return f"{settings.PUBLIC_BASE_URL}{reverse('admin:leads_contact_change', args=[contact.pk])}"


def _offer_alert(contact: Contact, profile: AgentProfile, offer_round: int, group: RoutingGroup | None) -> Alert:
    wording = _wording()["offer"]
    link = claim_url(ClaimTicket(contact_id=contact.pk, agent_id=profile.user_id, offer_round=offer_round))
    timeout = wording["timeout"].format(minutes=group.claim_timeout_minutes) if group else ""
    fields = {"lead": _lead_line(contact), "reason": contact.handoff_reason or "handed off", "link": link,
              "timeout": timeout}
    return Alert(phone=profile.phone, email=profile.user.email, sms=wording["sms"].format(**fields),
                 subject=wording["subject"].format(**fields), body=wording["email"].format(**fields))


def _assigned_alert(contact: Contact, agent, how: str) -> Alert:
    wording = _wording()["assigned"]
    profile = AgentProfile.objects.filter(user=agent).first()
    fields = {"lead": _lead_line(contact), "reason": contact.handoff_reason or "handed off",
              "link": _contact_url(contact), "how": how}
    return Alert(phone=profile.phone if profile else "", email=agent.email, sms=wording["sms"].format(**fields),
                 subject=wording["subject"].format(**fields), body=wording["email"].format(**fields))


def _alert_on_commit(alerts: list[Alert]) -> None:
    """One text per agent phone and one e-mail per agent address, once the step commits. Robust: a failed text
    or e-mail is logged (Django's on_commit logs it) and does not keep the others from going out."""
    for alert in alerts:
        if alert.phone:
            transaction.on_commit(lambda alert=alert: send_agent_alert_sms(alert.sms, to=alert.phone), robust=True)
        if alert.email:
            transaction.on_commit(lambda alert=alert: send_mail(alert.subject, alert.body, settings.DEFAULT_FROM_EMAIL,
                                                                [alert.email]), robust=True)


def _wording() -> dict:
    return read_toml(ALERTS)
