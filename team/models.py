"""The agents of the team as the product sees them: who takes which leads, when they work, and who has a lead."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from leads.models import Contact


def _weekdays() -> list[int]:
    return [0, 1, 2, 3, 4]  # Monday to Friday (Python's weekday numbers)


class AgentProfile(models.Model):
    """One per agent user. Routing takes an agent only while `accepting_leads`; an empty rule (no areas, no price
    band, no lead types) takes every lead of that kind."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_profile")
    phone = models.CharField(max_length=20, blank=True, help_text="E.164; new-lead alerts are texted here")
    time_zone = models.CharField(max_length=64, default="America/Chicago", help_text="IANA zone of the hours below")
    work_days = models.JSONField(default=_weekdays, blank=True, help_text="Weekdays worked: 0 is Monday, 6 Sunday")
    work_start = models.TimeField(default="09:00")
    work_end = models.TimeField(default="17:00")
    areas = models.JSONField(default=list, blank=True, help_text="Places taken, as prospects name them; empty: all")
    price_min = models.PositiveIntegerField(null=True, blank=True, help_text="Lowest budget or price taken")
    price_max = models.PositiveIntegerField(null=True, blank=True, help_text="Highest budget or price taken")
    lead_types = models.JSONField(default=list, blank=True, help_text="buyer, seller, renter; empty: all")
    accepting_leads = models.BooleanField(default=True, help_text="Off: pause new leads (holidays, a full week)")
    # Round robin's turn order, stored so a restart does not give the next lead to the agent who just had one.
    last_lead_at = models.DateTimeField(null=True, blank=True, help_text="When routing last gave this agent a lead")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return self.user.get_full_name() or self.user.get_username()


class AssignmentStatus(models.TextChoices):
    OFFERED = "offered", "Offered to a first-to-claim group"
    POND = "pond", "In the shared pond: any accepting agent may claim it"
    ASSIGNED = "assigned", "Assigned"
    UNROUTED = "unrouted", "Not routed: nobody could take it (the fixed alert list was told)"


class AssignmentHow(models.TextChoices):
    ROUND_ROBIN = "round_robin", "Round robin"
    CLAIMED = "claimed", "Claimed"
    OWNER = "owner", "Given to the owner"
    REASSIGNED = "reassigned", "Reassigned by hand"


class LeadAssignment(models.Model):
    """Who has a lead (one row per contact, kept as the lead moves between agents), and while nobody has it, the
    open offer: which round of offers (a claim link names its round, so a link from an offer that has moved on
    cannot claim), the group's place in the order and when its offer times out."""

    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="assignment")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="lead_assignments", help_text="Empty while nobody has claimed it")
    assigned_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=AssignmentStatus.choices, default=AssignmentStatus.UNROUTED)
    how = models.CharField(max_length=12, choices=AssignmentHow.choices, blank=True)
    offer_round = models.PositiveIntegerField(default=0, help_text="Counts the offers made; claim links name theirs")
    # The order of the group offered last (copied: the group may be renamed, renumbered or deleted meanwhile).
    group_order = models.PositiveSmallIntegerField(null=True, blank=True)
    group = models.ForeignKey("RoutingGroup", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    offer_expires_at = models.DateTimeField(null=True, blank=True, help_text="An open offer falls back after this")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["status", "offer_expires_at"], name="assignment_offer_expiry_idx")]

    def __str__(self):
        return f"{self.contact} -> {self.agent or 'nobody yet'}"


class RoutingMode(models.TextChoices):
    ROUND_ROBIN = "round_robin", "Round robin: the eligible member who had a lead least recently"
    FIRST_TO_CLAIM = "first_to_claim", "First to claim: every eligible member is alerted, the first to claim wins"


class RoutingGroup(models.Model):
    """A step of lead routing. Handed-off leads go to the groups in `order`; a first-to-claim group's offer that
    nobody claims within `claim_timeout_minutes` falls back to the next group, and after the last group to the
    shared pond or the owner (settings.ROUTING_AFTER_LAST_GROUP)."""

    name = models.CharField(max_length=80, unique=True)
    order = models.PositiveSmallIntegerField(unique=True, help_text="Groups are tried from the lowest number up")
    mode = models.CharField(max_length=20, choices=RoutingMode.choices, default=RoutingMode.ROUND_ROBIN)
    members = models.ManyToManyField(AgentProfile, related_name="routing_groups", blank=True)
    claim_timeout_minutes = models.PositiveSmallIntegerField(
        default=5, help_text="First to claim: minutes before an unclaimed lead falls back to the next group")

    class Meta:
        ordering = ["order"]

    def __str__(self):
        return self.name


class RoutingEventKind(models.TextChoices):
    OFFERED = "offered", "Offered"
    ASSIGNED = "assigned", "Assigned by round robin"
    CLAIMED = "claimed", "Claimed"
    FELL_BACK = "fell_back", "Fell back"
    POND = "pond", "Put in the shared pond"
    OWNER = "owner", "Given to the owner"
    REASSIGNED = "reassigned", "Reassigned by hand"
    NOT_ROUTED = "not_routed", "Not routed"


class RoutingEvent(models.Model):
    """One step of a lead's routing, for the contact page's history."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="routing_events")
    kind = models.CharField(max_length=12, choices=RoutingEventKind.choices)
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", help_text="Offered to, assigned to, claimed by")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", help_text="Who reassigned it by hand")
    group_name = models.CharField(max_length=80, blank=True)
    offer_round = models.PositiveIntegerField(default=0)
    note = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["contact", "at"], name="routing_event_contact_idx")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.contact_id} -> {self.agent or '-'}"
