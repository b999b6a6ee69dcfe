"""The times an agent can meet a prospect: working hours and days in the agent's zone, existing appointments and
their buffer, the lead time, and the prospect's allowed hours in their own zone (Los Angeles, Honolulu), across
DST changes; and which agent a lead books with."""

from datetime import datetime, timedelta
from datetime import timezone as utc_zone
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User

from booking.models import Appointment, AppointmentKind, AppointmentStatus
from booking.selectors import booking_agent_for, free_starts, may_offer, spread
from leads.models import LeadType
from leads.services import contact_get_or_create
from team.models import AgentProfile, LeadAssignment

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
HONOLULU = ZoneInfo("Pacific/Honolulu")
# Monday December 7 2026, 8:00 am in Chicago.
MONDAY_8AM_CHICAGO = datetime(2026, 12, 7, 14, 0, tzinfo=utc_zone.utc)


def buyer(phone):
    contact, _ = contact_get_or_create(phone=phone)
    contact.lead_type = LeadType.BUYER
    contact.save()
    return contact


def local_times(starts, zone):
    return [start.astimezone(zone).strftime("%a %H:%M") for start in starts]


def test_chicago_agent_and_los_angeles_prospect_meet_inside_both_days(chicago_agent):
    prospect = buyer("+13105550111")  # Los Angeles
    assert prospect.time_zone == "America/Los_Angeles"
    starts = free_starts(chicago_agent, prospect, now=MONDAY_8AM_CHICAGO)
    monday = [s for s in starts if s.astimezone(CHICAGO).date() == MONDAY_8AM_CHICAGO.date()]
    # Two hours' lead from 8 am: 10 am Chicago, which is 8 am in Los Angeles, the first hour a text may reach them;
    # the last start leaves the hour inside the agent's 5 pm.
    assert local_times(monday, CHICAGO)[0] == "Mon 10:00" and local_times(monday, CHICAGO)[-1] == "Mon 16:00"
    assert local_times(monday, LOS_ANGELES)[0] == "Mon 08:00"
    assert all(8 <= s.astimezone(LOS_ANGELES).hour < 20 for s in starts)
    assert all(9 <= s.astimezone(CHICAGO).hour < 17 and s.astimezone(CHICAGO).weekday() < 5 for s in starts)
    assert all(s.minute in (0, 30) for s in starts)


def test_honolulu_prospect_gets_only_the_agents_afternoon(chicago_agent):
    prospect = buyer("+18085550111")  # Honolulu: four hours behind Chicago in winter
    assert prospect.time_zone == "Pacific/Honolulu"
    starts = free_starts(chicago_agent, prospect, now=MONDAY_8AM_CHICAGO)
    assert local_times(starts, CHICAGO)[0] == "Mon 12:00"
    assert local_times(starts, HONOLULU)[0] == "Mon 08:00"
    assert all(s.astimezone(HONOLULU).hour >= 8 for s in starts)


def test_honolulu_has_no_dst_so_summer_moves_the_agents_first_hour(chicago_agent):
    prospect = buyer("+18085550112")
    # Monday June 7 2027, 8 am in Chicago (CDT): Honolulu is five hours behind now.
    summer = datetime(2027, 6, 7, 13, 0, tzinfo=utc_zone.utc)
    starts = free_starts(chicago_agent, prospect, now=summer)
    assert local_times(starts, CHICAGO)[0] == "Mon 13:00"
    assert local_times(starts, HONOLULU)[0] == "Mon 08:00"


def test_dst_ending_keeps_the_agents_wall_clock_and_moves_utc(chicago_agent):
    prospect = buyer("+13125550111")  # Chicago too
    # Friday October 30 2026, 1 am in Chicago (CDT); clocks go back on Sunday November 1.
    starts = free_starts(chicago_agent, prospect, now=datetime(2026, 10, 30, 6, 0, tzinfo=utc_zone.utc))
    friday = [s for s in starts if s.astimezone(CHICAGO).day == 30]
    monday = [s for s in starts if s.astimezone(CHICAGO).day == 2]
    assert friday[0] == datetime(2026, 10, 30, 14, 0, tzinfo=utc_zone.utc)   # 9 am CDT
    assert monday[0] == datetime(2026, 11, 2, 15, 0, tzinfo=utc_zone.utc)    # 9 am CST
    assert local_times([friday[0], monday[0]], CHICAGO) == ["Fri 09:00", "Mon 09:00"]
    assert not [s for s in starts if s.astimezone(CHICAGO).weekday() >= 5]  # the weekend of the change is off


def test_spring_forward_in_the_agents_zone(chicago_agent):
    chicago_agent.work_days = [6]  # Sundays only, to meet on the day clocks jump (2027-03-14)
    chicago_agent.work_start, chicago_agent.work_end = "09:00", "12:00"
    chicago_agent.save()
    prospect = buyer("+13125550112")
    starts = free_starts(chicago_agent, prospect, now=datetime(2027, 3, 13, 12, 0, tzinfo=utc_zone.utc))
    assert starts[0] == datetime(2027, 3, 14, 14, 0, tzinfo=utc_zone.utc)  # 9 am CDT, the same day's new offset
    assert local_times(starts, CHICAGO) == ["Sun 09:00", "Sun 09:30", "Sun 10:00", "Sun 10:30", "Sun 11:00"]


def book(agent, contact, start, status=AppointmentStatus.BOOKED):
    return Appointment.objects.create(contact=contact, agent=agent, starts_at=start, ends_at=start + timedelta(hours=1),
                                      kind=AppointmentKind.SHOWING, status=status, uid=f"test-{start:%s}")


def test_booked_appointments_and_their_buffer_are_not_offered(chicago_agent):
    prospect = buyer("+13125550113")
    eleven = datetime(2026, 12, 7, 17, 0, tzinfo=utc_zone.utc)  # Monday 11 am Chicago
    book(chicago_agent.user, buyer("+13125550114"), eleven)
    monday = [s for s in free_starts(chicago_agent, prospect, now=MONDAY_8AM_CHICAGO - timedelta(hours=2))
              if s.astimezone(CHICAGO).day == 7]
    # 11 to 12 is booked, and half an hour either side is kept to drive: 9:30 ends at 10:30, 12:30 starts after.
    assert local_times(monday, CHICAGO) == ["Mon 09:00", "Mon 09:30", "Mon 12:30", "Mon 13:00", "Mon 13:30",
                                            "Mon 14:00", "Mon 14:30", "Mon 15:00", "Mon 15:30", "Mon 16:00"]


def test_cancelled_and_other_agents_appointments_take_no_time(chicago_agent):
    prospect = buyer("+13125550115")
    eleven = datetime(2026, 12, 7, 17, 0, tzinfo=utc_zone.utc)
    other = User.objects.create_user("lee")
    AgentProfile.objects.create(user=other)
    book(chicago_agent.user, prospect, eleven, status=AppointmentStatus.CANCELLED)
    book(other, prospect, eleven)
    starts = free_starts(chicago_agent, prospect, now=MONDAY_8AM_CHICAGO - timedelta(hours=2))
    assert eleven in starts


def test_lead_time_and_horizon(chicago_agent):
    prospect = buyer("+13125550116")
    now = datetime(2026, 12, 7, 15, 10, tzinfo=utc_zone.utc)  # Monday 9:10 am Chicago
    starts = free_starts(chicago_agent, prospect, now=now)
    assert starts[0] == datetime(2026, 12, 7, 17, 30, tzinfo=utc_zone.utc)  # 11:30: the first start 2 hours out
    assert max(starts) < now + timedelta(days=5)
    assert {s.astimezone(CHICAGO).strftime("%a") for s in starts} == {"Mon", "Tue", "Wed", "Thu", "Fri"}


def test_offered_times_are_spread_apart(chicago_agent):
    prospect = buyer("+13125550117")
    offered = spread(free_starts(chicago_agent, prospect, now=MONDAY_8AM_CHICAGO))
    assert len(offered) == 3
    assert all(later - earlier >= timedelta(hours=3) for earlier, later in zip(offered, offered[1:]))
    assert local_times(offered, CHICAGO) == ["Mon 10:00", "Mon 13:00", "Mon 16:00"]


def test_the_agent_who_has_the_lead_books_it(chicago_agent):
    prospect = buyer("+13125550118")
    other = User.objects.create_user("lee")
    lee = AgentProfile.objects.create(user=other)
    # Nobody has it yet (a first-to-claim offer waiting): no times, since the agent who claims it is not known.
    LeadAssignment.objects.create(contact=prospect)
    assert booking_agent_for(prospect) is None
    LeadAssignment.objects.filter(contact=prospect).update(agent=other)
    assert booking_agent_for(prospect) == lee


def test_times_are_offered_only_with_an_agent_taking_leads_and_a_kind_of_appointment(chicago_agent):
    assert may_offer(LeadType.BUYER) and may_offer(LeadType.SELLER)
    assert not may_offer(LeadType.RENTER) and not may_offer(LeadType.UNKNOWN)
    chicago_agent.accepting_leads = False
    chicago_agent.save()
    assert not may_offer(LeadType.BUYER)


def test_an_assigned_agent_without_a_profile_books_nothing(chicago_agent):
    prospect = buyer("+13125550120")
    LeadAssignment.objects.create(contact=prospect, agent=User.objects.create_user("noprofile"))
    assert booking_agent_for(prospect) is None


def test_no_profile_no_times():
    assert booking_agent_for(buyer("+13125550121")) is None
