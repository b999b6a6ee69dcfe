"""Routing a handoff: round robin in order (kept across a restart), first-to-claim offers alerting every eligible
agent by SMS and e-mail with a claim link, groups passed over, the pond and the owner after the last group, and a
team without agent profiles told exactly as before."""

import re
import threading
from urllib.parse import parse_qs

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.db import connections, transaction
from django.utils import timezone

from bots.handoffs import alert_agents
from bots.tasks import process_inbound_message
from leads.events import lead_assigned
from leads.models import LeadType
from leads.services import contact_get_or_create, message_record_inbound
from team.models import AgentProfile, AssignmentHow, AssignmentStatus, LeadAssignment, RoutingEvent, RoutingMode
from team.services import route_lead
from tests.support.factories import ContactFactory
from tests.support.processes import manage
from tests.support.team import make_agent, make_group, wait_for_lock_waiters
from tests.support.twilio import twilio_created

pytestmark = pytest.mark.django_db


def handed_off(**fields):
    return ContactFactory(needs_agent=True, handoff_reason="asked for a person", handoff_at=timezone.now(), **fields)


def texts_to(twilio) -> list[tuple[str, str]]:
    sent = []
    for call in twilio.calls:
        form = parse_qs(call.request.body)
        sent.append((form["To"][0], form["Body"][0]))
    return sent


def events(contact) -> list[tuple[str, str]]:
    return [(e.kind, e.agent.username if e.agent else "") for e in RoutingEvent.objects.filter(contact=contact)]


def test_round_robin_gives_each_lead_to_whoever_had_one_least_recently(routing_settings, django_capture_on_commit_callbacks):
    ana, ben, cai = make_agent("ana"), make_agent("ben"), make_agent("cai")
    make_group("Everyone", 1, [ana, ben, cai])
    got = []
    for _ in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            got.append(route_lead(handed_off().pk).agent.username)
    assert got == ["ana", "ben", "cai", "ana", "ben"]
    assert len(mail.outbox) == 5 and all(m.to != ["fixed-list@example.com"] for m in mail.outbox)
    assert mail.outbox[0].to == ["ana@example.com"] and "Lead assigned to you" in mail.outbox[0].subject


def test_a_lead_got_another_way_counts_for_the_turn(routing_settings):
    ana, ben = make_agent("ana"), make_agent("ben")
    make_group("Everyone", 1, [ana, ben])
    from team.services import reassign_lead

    reassign_lead(contact=ContactFactory(), agent=ana, by=ben)   # ana just had one by hand
    assert route_lead(handed_off().pk).agent == ben


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_round_robin_order_survives_a_restart(routing_settings, project_env):
    ana, ben, cai = make_agent("ana"), make_agent("ben"), make_agent("cai")
    make_group("Everyone", 1, [ana, ben, cai])
    assert route_lead(handed_off().pk).agent == ana
    second = handed_off()
    # Another process (a restarted worker) routes the next lead: the turn is in the database, not in memory.
    child = manage(["shell", "-c", f"from team.services import route_lead; print(route_lead({second.pk}).agent)"],
                   env={**project_env, "DJANGO_SETTINGS_MODULE": "config.settings"})
    assert child.returncode == 0, child.stderr
    assert LeadAssignment.objects.get(contact=second).agent == ben
    assert route_lead(handed_off().pk).agent == cai
    assert route_lead(handed_off().pk).agent == ana


@pytest.mark.django_db(transaction=True)
def test_two_handoffs_at_once_go_to_two_agents(routing_settings):
    ana, ben = make_agent("ana"), make_agent("ben")
    make_group("Everyone", 1, [ana, ben])
    leads = [handed_off(), handed_off()]

    def route(contact):
        try:
            route_lead(contact.pk)
        finally:
            connections.close_all()

    # Hold the profiles' rows so both routings are waiting on them before either picks.
    with transaction.atomic():
        list(AgentProfile.objects.select_for_update())
        threads = [threading.Thread(target=route, args=(contact,)) for contact in leads]
        for thread in threads:
            thread.start()
        wait_for_lock_waiters(2)
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(LeadAssignment.objects.filter(contact__in=leads).values_list("agent__username", flat=True)) == \
        ["ana", "ben"]


def test_first_to_claim_alerts_every_eligible_member_by_text_and_email(routing_settings, twilio,
                                                                       django_capture_on_commit_callbacks):
    twilio.add(twilio_created())
    ana = make_agent("ana", phone="+15125550101", areas=["Austin"])
    ben = make_agent("ben", phone="+15125550102")
    cai = make_agent("cai", phone="+15125550103", areas=["Dallas"])       # not this lead's area
    dee = make_agent("dee", phone="+15125550104", accepting_leads=False)  # paused
    make_group("Buyers", 1, [ana, ben, cai, dee], mode=RoutingMode.FIRST_TO_CLAIM, timeout=10)
    lead = handed_off(name="Maya Chen", lead_type=LeadType.BUYER, facts={"areas": ["austin"]})
    with django_capture_on_commit_callbacks(execute=True):
        assignment = route_lead(lead.pk)
    assert assignment.status == AssignmentStatus.OFFERED and assignment.agent is None
    assert assignment.offer_round == 1 and assignment.group.name == "Buyers"
    assert 9 * 60 < (assignment.offer_expires_at - timezone.now()).total_seconds() <= 10 * 60
    texts = texts_to(twilio)
    assert sorted(to for to, _ in texts) == ["+15125550101", "+15125550102"]  # one text per eligible agent phone
    for _, body in texts:
        assert "Maya Chen" in body and re.search(r"https://leads\.example\.com/leads/claim/[^/ ]+/", body)
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.com", "ben@example.com"]
    assert "10 minutes" in mail.outbox[0].body
    # Each agent's link is their own.
    links = {m.to[0]: re.search(r"/leads/claim/([^/ ]+)/", m.body).group(1) for m in mail.outbox}
    assert links["ana@example.com"] != links["ben@example.com"]
    assert events(lead) == [("offered", "ana"), ("offered", "ben")]


def test_a_group_with_nobody_eligible_is_passed_over(routing_settings):
    ana = make_agent("ana", lead_types=["seller"])
    ben = make_agent("ben")
    make_group("Listings", 1, [ana])
    make_group("Buyers", 2, [ben])
    lead = handed_off(lead_type=LeadType.BUYER)
    assert route_lead(lead.pk).agent == ben
    assert [kind for kind, _ in events(lead)] == ["fell_back", "assigned"]


def test_after_the_last_group_the_pond_offers_every_accepting_agent(routing_settings):
    ana = make_agent("ana", areas=["Dallas"])  # the pond ignores rules: every accepting agent may claim
    ben = make_agent("ben")
    make_agent("cai", accepting_leads=False)
    make_group("Dallas", 1, [ana])
    lead = handed_off(facts={"areas": ["Austin"]})
    assignment = route_lead(lead.pk)
    assert assignment.status == AssignmentStatus.POND and assignment.offer_expires_at is None
    assert events(lead) == [("fell_back", ""), ("pond", ""), ("offered", "ana"), ("offered", "ben")]


def test_after_the_last_group_the_owner_gets_it_when_so_configured(routing_settings):
    routing_settings.ROUTING_AFTER_LAST_GROUP = "owner"
    make_agent("ana", accepting_leads=False)
    User.objects.create_superuser("root", "root@example.com", "pw")
    boss = User.objects.create_user("boss", email="Boss@Example.com", password="pw", is_staff=True)
    routing_settings.ROUTING_OWNER_EMAIL = "boss@example.com"
    assignment = route_lead(handed_off().pk)
    assert assignment.agent == boss and assignment.how == AssignmentHow.OWNER
    routing_settings.ROUTING_OWNER_EMAIL = ""   # unset: the first superuser
    assert route_lead(handed_off().pk).agent.username == "root"


def test_nobody_to_route_to_tells_the_fixed_list(routing_settings):
    routing_settings.ROUTING_AFTER_LAST_GROUP = "owner"
    make_agent("ana", accepting_leads=False)   # a profile, but no group, nobody accepting and no superuser
    lead = handed_off()
    assert alert_agents(lead.pk) is True
    assert [m.to for m in mail.outbox] == [["fixed-list@example.com"]]
    assert LeadAssignment.objects.get(contact=lead).status == AssignmentStatus.UNROUTED
    assert [kind for kind, _ in events(lead)] == ["not_routed"]


def test_a_team_without_agent_profiles_is_told_as_before(routing_settings, twilio):
    routing_settings.ANTHROPIC_API_KEY = ""
    routing_settings.AGENT_ALERT_PHONE = "+15125550299"
    twilio.add(twilio_created(sid="SM" + "7" * 32))
    User.objects.create_superuser("root", "root@example.com", "pw")  # an owner exists, but no agent profile
    contact, _ = contact_get_or_create(phone="+15125550204")
    message, _ = message_record_inbound(contact=contact, body="can I talk to a real person please",
                                        twilio_sid="SM" + "6" * 32)
    process_inbound_message.apply(args=[message.pk])
    assert [m.to for m in mail.outbox] == [["fixed-list@example.com"]] and contact.phone in mail.outbox[0].body
    assert [to for to, _ in texts_to(twilio) if to == "+15125550299"] == ["+15125550299"]
    assert not LeadAssignment.objects.exists() and not RoutingEvent.objects.exists()


def test_a_handoff_from_a_text_routes_to_an_agent_instead_of_the_fixed_list(routing_settings,
                                                                            django_capture_on_commit_callbacks):
    routing_settings.ANTHROPIC_API_KEY = ""
    ana = make_agent("ana")
    make_group("Everyone", 1, [ana])
    contact, _ = contact_get_or_create(phone="+15125550205")
    message, _ = message_record_inbound(contact=contact, body="can I talk to a real person please",
                                        twilio_sid="SM" + "5" * 32)
    with django_capture_on_commit_callbacks(execute=True):
        process_inbound_message.apply(args=[message.pk])
    assert LeadAssignment.objects.get(contact=contact).agent == ana
    assert [m.to for m in mail.outbox] == [["ana@example.com"]]


def test_a_second_handoff_of_a_lead_someone_has_tells_that_agent(routing_settings, django_capture_on_commit_callbacks):
    ana, ben = make_agent("ana"), make_agent("ben")
    make_group("Everyone", 1, [ana, ben])
    lead = handed_off()
    with django_capture_on_commit_callbacks(execute=True):
        route_lead(lead.pk)
        route_lead(lead.pk)
    assert LeadAssignment.objects.get(contact=lead).agent == ana
    assert [m.to for m in mail.outbox] == [["ana@example.com"], ["ana@example.com"]]
    assert "handed off again" in mail.outbox[1].body


def test_lead_assigned_is_announced_once_committed(routing_settings, django_capture_on_commit_callbacks):
    heard = []

    def listener(sender, contact_id, payload, **kwargs):
        heard.append((contact_id, payload))

    lead_assigned.connect(listener)
    try:
        ana = make_agent("ana")
        make_group("Everyone", 1, [ana])
        lead = handed_off()
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            route_lead(lead.pk)
        assert heard == []  # not before the commit
        for callback in callbacks:
            callback()
    finally:
        lead_assigned.disconnect(listener)
    assert heard == [(lead.pk, {"agent": {"id": ana.pk, "name": "Ana", "email": "ana@example.com"},
                                "how": "round_robin"})]


def test_a_web_lead_waiting_for_an_agent_is_routed_by_the_intakes_alert_task(routing_settings, client,
                                                                             django_capture_on_commit_callbacks):
    from config.celery import app
    from tests.bots.test_intake import SECRET, lead, post

    routing_settings.LEAD_INTAKE_SECRET = SECRET
    ana = make_agent("ana", areas=["Astoria"], lead_types=["buyer"])
    make_group("Queens", 1, [ana], mode=RoutingMode.FIRST_TO_CLAIM)
    body = lead()
    del body["consent"]   # no consent: nothing texted, the lead waits for an agent
    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert post(client, body).status_code == 201
    finally:
        app.conf.task_always_eager = False
    assignment = LeadAssignment.objects.get()
    assert assignment.status == AssignmentStatus.OFFERED
    assert [m.to for m in mail.outbox] == [["ana@example.com"]] and "/leads/claim/" in mail.outbox[0].body


def test_a_team_without_routing_groups_is_one_round_robin_by_the_rules(routing_settings):
    ana = make_agent("ana", lead_types=["buyer"])
    ben = make_agent("ben", lead_types=["buyer"])
    make_agent("sam", lead_types=["seller"])
    buyers = [route_lead(handed_off(lead_type=LeadType.BUYER).pk) for _ in range(3)]
    assert [a.agent for a in buyers] == [ana, ben, ana]
    assert all(a.how == AssignmentHow.ROUND_ROBIN and a.status == AssignmentStatus.ASSIGNED for a in buyers)
    # Nobody's rules take a renter: the pond offers it to everyone taking leads, to claim.
    renter = route_lead(handed_off(lead_type=LeadType.RENTER).pk)
    assert renter.agent is None and renter.status == AssignmentStatus.POND
