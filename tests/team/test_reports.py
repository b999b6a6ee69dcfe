"""The dashboard's agents section, computed from rows: time from handoff to the first agent text (median and
count per agent, over the window), leads per agent, and appointments per agent."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agents.dashboard import agent_panel
from booking.models import Appointment, AppointmentKind, AppointmentStatus
from agents.templatetags.dashboard_format import minutes
from leads.models import Author, Direction, Message
from team.models import AssignmentHow, AssignmentStatus, LeadAssignment
from tests.support.factories import ContactFactory, ConversationFactory, MessageFactory
from tests.support.team import make_agent

pytestmark = pytest.mark.django_db


def lead(handed_off_ago: timedelta, *, agent=None, how=AssignmentHow.ROUND_ROBIN, taken_over_by=None,
         agent_texts_after=(), **fields):
    """A handed-off lead, `agent`'s since its handoff, with agent texts written at the given delays after it."""
    handoff_at = timezone.now() - handed_off_ago
    contact = ContactFactory(needs_agent=True, handoff_at=handoff_at, handoff_reason="hot lead",
                             taken_over_by=taken_over_by, **fields)
    if agent is not None:
        LeadAssignment.objects.create(contact=contact, agent=agent, assigned_at=handoff_at, how=how,
                                      status=AssignmentStatus.ASSIGNED)
    conversation = ConversationFactory(contact=contact)
    for delay in agent_texts_after:
        text = MessageFactory(conversation=conversation, direction=Direction.OUTBOUND, author=Author.AGENT,
                              twilio_sid=None)
        Message.objects.filter(pk=text.pk).update(created_at=handoff_at + delay)
    return contact


def test_time_to_first_agent_contact_and_leads_per_agent():
    ana, ben, cai = make_agent("ana"), make_agent("ben"), make_agent("cai")
    day = timedelta(days=1)
    lead(day, agent=ana, agent_texts_after=[timedelta(minutes=4), timedelta(minutes=1)])  # first text: 1 minute
    lead(2 * day, agent=ana, how=AssignmentHow.CLAIMED, agent_texts_after=[timedelta(minutes=10)])
    lead(3 * day, agent=ana, how=AssignmentHow.CLAIMED, agent_texts_after=[timedelta(minutes=20)])
    lead(4 * day, agent=ana)                                          # not texted yet
    lead(5 * day, agent=ana, agent_texts_after=[-timedelta(hours=1)])  # texted before this handoff only
    lead(10 * day, agent=ben, agent_texts_after=[timedelta(minutes=1)])  # outside a 7-day window
    lead(day, agent=ben, agent_texts_after=[timedelta(minutes=2), timedelta(minutes=90)])
    lead(day, taken_over_by=cai, agent_texts_after=[timedelta(minutes=6)])  # nobody routed it; cai took it over
    lead(day, agent_texts_after=[])                                   # nobody at all
    # A message from the bot or the prospect is no agent contact.
    quiet = lead(day, agent=cai)
    MessageFactory(conversation=quiet.conversations.get(), direction=Direction.OUTBOUND, author=Author.BOT)

    rows = {row.name: row for row in agent_panel(7).rows}
    assert list(rows) == ["Ana", "Ben", "Cai", ""]
    ana_row = rows["Ana"]
    assert (ana_row.leads, ana_row.claimed, ana_row.contacted, ana_row.not_contacted) == (5, 2, 3, 2)
    assert ana_row.median_first_contact_minutes == pytest.approx(10)
    assert (rows["Ben"].leads, rows["Ben"].contacted) == (1, 1)
    assert rows["Ben"].median_first_contact_minutes == pytest.approx(2)
    assert (rows["Cai"].leads, rows["Cai"].contacted, rows["Cai"].not_contacted) == (1, 1, 1)
    assert rows["Cai"].median_first_contact_minutes == pytest.approx(6)
    assert (rows[""].leads, rows[""].contacted, rows[""].not_contacted) == (0, 0, 1)
    assert rows[""].median_first_contact_minutes is None
    assert all(row.appointments == 0 for row in rows.values())

    wider = {row.name: row for row in agent_panel(30).rows}
    assert (wider["Ben"].leads, wider["Ben"].contacted) == (2, 2)
    assert wider["Ben"].median_first_contact_minutes == pytest.approx(1.5)


def test_the_dashboard_shows_the_agents_section(client, agent):
    ana = make_agent("ana")
    lead(timedelta(hours=3), agent=ana, agent_texts_after=[timedelta(minutes=135)])
    html = client.get("/dashboard/").content.decode()
    assert "Agents, last 7 days" in html and 'id="agents"' in html
    row = html[html.index('id="agents"'):]
    assert "<td>Ana</td>" in row and "2 h 15 min" in row and ">appointments<" in row


def test_appointments_per_agent_count_booked_ones_in_the_window_once():
    ana, ben = make_agent("ana"), make_agent("ben")
    soon = timezone.now() + timedelta(days=1)
    contact = lead(timedelta(hours=1), agent=ana)

    def appointment(agent, status=AppointmentStatus.BOOKED, created_ago=timedelta(hours=1)):
        made = Appointment.objects.create(contact=contact, agent=agent,
                                          starts_at=soon, ends_at=soon + timedelta(hours=1),
                                          kind=AppointmentKind.SHOWING, status=status, uid=f"uid-{Appointment.objects.count()}")
        Appointment.objects.filter(pk=made.pk).update(created_at=timezone.now() - created_ago)

    appointment(ana)
    appointment(ana, status=AppointmentStatus.MOVED)        # the old row of a move: its new row counts
    appointment(ana, status=AppointmentStatus.CANCELLED)
    appointment(ben)
    appointment(ben, created_ago=timedelta(days=9))          # outside the window
    rows = {row.name: row for row in agent_panel(7).rows}
    assert (rows["Ana"].appointments, rows["Ben"].appointments) == (1, 1)


@pytest.mark.parametrize("value, shown", [(None, "-"), (0.5, "30 s"), (42.2, "42 min"), (135, "2 h 15 min"),
                                          (60, "1 h 0 min")])
def test_waits_read_as_people_say_them(value, shown):
    assert minutes(value) == shown
