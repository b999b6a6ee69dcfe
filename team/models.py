"""The agents of the team as the product sees them: who takes which leads, when they work, and who has a lead."""

from django.conf import settings
from django.db import models

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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return self.user.get_full_name() or self.user.get_username()


class LeadAssignment(models.Model):
    """Who has a lead (one row per contact, kept as the lead moves between agents)."""

    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="assignment")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="lead_assignments", help_text="Empty while nobody has claimed it")
    assigned_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.contact} -> {self.agent or 'nobody yet'}"
