"""Reads of booking: which agent a lead books with, the times that agent is free, a contact's appointments."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time, timedelta
from datetime import timezone as dt_timezone
from zoneinfo import ZoneInfo

from django.db.models import Count, QuerySet
from django.utils import timezone

from booking import wording
from booking.models import Appointment, AppointmentKind, AppointmentStatus, OfferStatus, SlotOffer
from leads.models import Contact, LeadType
from leads.phones import FALLBACK_TIME_ZONE
from leads.quiet_hours import allowed_in_all, contact_time_zones, operator_hours
from leads.reader.slot_choice import TimeWish, fits
from team.models import AgentProfile, LeadAssignment


def booking_agent_for(contact: Contact, lead_type: str | None = None) -> AgentProfile | None:
    """The agent a lead books with: whoever has the lead (routing gives it out in the handoff's turn, before any
    times are offered). None: no booking, e.g. while a first-to-claim offer waits for a claim."""
    assignment = LeadAssignment.objects.filter(contact=contact, agent__isnull=False).select_related(
        "agent__agent_profile").first()
    return getattr(assignment.agent, "agent_profile", None) if assignment is not None else None


def may_offer(lead_type: str) -> bool:
    """Whether a handoff of this lead could offer times at all: a kind of appointment for it, and a team with an
    agent taking new leads (checked before routing, so a team without profiles keeps its handoff as it was)."""
    return kind_for(lead_type) is not None and AgentProfile.objects.filter(accepting_leads=True).exists()


def kind_for(lead_type: str) -> str | None:
    """A buyer is shown homes; a seller's home is listed; anyone else books nothing."""
    return {LeadType.BUYER: AppointmentKind.SHOWING, LeadType.SELLER: AppointmentKind.LISTING}.get(lead_type)


def prospect_zone(contact: Contact) -> ZoneInfo:
    return ZoneInfo(contact.time_zone or FALLBACK_TIME_ZONE)


def agent_zone(appointment: Appointment) -> ZoneInfo:
    """The zone the agent works in (the prospect's when the agent has no profile any more)."""
    profile = getattr(appointment.agent, "agent_profile", None) if appointment.agent else None
    return ZoneInfo(profile.time_zone) if profile else prospect_zone(appointment.contact)


def free_starts(profile: AgentProfile, contact: Contact, *, now: datetime | None = None,
                ignoring: Appointment | None = None) -> list[datetime]:
    """Every start time (UTC) the agent can meet the prospect: inside the agent's working hours and days (in the
    agent's zone), clear of their booked appointments by the buffer, no sooner than the lead time, and with the
    whole appointment inside the hours the prospect may be texted (in every zone their number may be in).
    `ignoring`: an appointment being moved, whose own time does not count as taken."""
    now = now or timezone.now()
    length, buffer = wording.minutes("minutes"), wording.minutes("buffer_minutes")
    earliest = now + timedelta(hours=wording.rule("lead_hours"))
    horizon = now + timedelta(days=wording.rule("days_ahead"))
    busy = [(a.starts_at - buffer, a.ends_at + buffer) for a in Appointment.objects.filter(
        agent=profile.user, status=AppointmentStatus.BOOKED, ends_at__gt=now - buffer, starts_at__lt=horizon + buffer,
    ).exclude(pk=getattr(ignoring, "pk", None))]
    zones = [ZoneInfo(name) for name in contact_time_zones(contact)]
    hours = operator_hours()
    return [start for start in _working_starts(profile, now, horizon)
            if start >= earliest
            and not any(begin < start + length and start < end for begin, end in busy)
            and allowed_in_all(zones, start, hours) and allowed_in_all(zones, start + length - timedelta(minutes=1), hours)]


def _working_starts(profile: AgentProfile, now: datetime, horizon: datetime) -> Iterator[datetime]:
    zone = ZoneInfo(profile.time_zone)
    length, step = wording.minutes("minutes"), wording.minutes("step_minutes")
    day = now.astimezone(zone).date()
    while datetime.combine(day, time.min, tzinfo=zone) < horizon:
        if day.weekday() in (profile.work_days or []):
            # Wall-clock steps in the agent's zone, each made a real moment on its own: a DST change that day
            # moves the UTC times, never the agent's 9 to 5.
            local = datetime.combine(day, _as_time(profile.work_start))
            end = datetime.combine(day, _as_time(profile.work_end))
            while local + length <= end:
                moment = local.replace(tzinfo=zone).astimezone(dt_timezone.utc)
                if moment.astimezone(zone).replace(tzinfo=None) == local and moment < horizon:  # a skipped time is no time
                    yield moment
                local += step
        day += timedelta(days=1)


def _as_time(value) -> time:
    return value if isinstance(value, time) else time.fromisoformat(str(value))


def spread(starts: list[datetime], count: int | None = None) -> list[datetime]:
    """Up to `count` of the starts, earliest first, each at least the spread apart: real alternatives (Tuesday
    morning, Tuesday afternoon, Wednesday), not three half hours of one morning."""
    count = count or wording.rule("offered")
    gap = timedelta(hours=wording.rule("spread_hours"))
    chosen: list[datetime] = []
    for start in starts:
        if all(abs(start - other) >= gap for other in chosen):
            chosen.append(start)
        if len(chosen) == count:
            break
    return chosen


def starts_fitting(starts: list[datetime], wish: TimeWish, zone: ZoneInfo) -> list[datetime]:
    return [start for start in starts if fits(wish, start.astimezone(zone))]


def open_offer(contact: Contact, now: datetime | None = None) -> SlotOffer | None:
    now = now or timezone.now()
    return SlotOffer.objects.filter(contact=contact, status=OfferStatus.OPEN,
                                    created_at__gte=now - timedelta(days=wording.rule("valid_days"))).first()


def offered_starts(offer: SlotOffer) -> list[datetime]:
    return [datetime.fromisoformat(value) for value in offer.starts]


def upcoming_appointment(contact: Contact, now: datetime | None = None) -> Appointment | None:
    """The contact's next booked appointment that has not started yet."""
    return Appointment.objects.filter(contact=contact, status=AppointmentStatus.BOOKED,
                                      starts_at__gt=now or timezone.now()).select_related("agent").first()


def appointments_of(contact: Contact) -> QuerySet:
    """The contact's appointments, newest time first (moved and cancelled ones too: the page tells their story)."""
    return Appointment.objects.filter(contact=contact).select_related("agent").order_by("-starts_at")


def appointments_upcoming(queryset: QuerySet | None = None, now: datetime | None = None) -> QuerySet:
    queryset = Appointment.objects.all() if queryset is None else queryset
    return queryset.filter(status=AppointmentStatus.BOOKED, ends_at__gt=now or timezone.now())


def reminders_due(now: datetime | None = None) -> QuerySet:
    """Booked appointments starting within the reminder's lead and not reminded yet, of contacts still texted."""
    now = now or timezone.now()
    return Appointment.objects.filter(status=AppointmentStatus.BOOKED, reminder_queued_at__isnull=True,
                                      starts_at__gt=now, starts_at__lte=now + wording.reminder_before(),
                                      contact__opted_out=False)


def appointments_per_agent(days: int, now: datetime | None = None) -> dict[int, int]:
    """{agent user id: appointments booked in the last `days` days}, for the dashboard. A moved appointment counts
    once (its new row; the old one is `moved`), a cancelled one not at all."""
    since = (now or timezone.now()) - timedelta(days=days)
    rows = (Appointment.objects.filter(created_at__gte=since, agent__isnull=False, status=AppointmentStatus.BOOKED)
            .values("agent_id").annotate(count=Count("id")))
    return {row["agent_id"]: row["count"] for row in rows}
