"""An unclaimed first-to-claim offer falls back after its group's timeout (a simulated clock): to the next group,
then the pond or the owner; the beat task is safe to run twice and on two workers at once."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core import mail
from django.db import connections, transaction
from django.utils import timezone

from team.models import AssignmentHow, AssignmentStatus, LeadAssignment, RoutingEvent, RoutingMode
from team.services import fall_back_unclaimed_leads, route_lead
from team.tasks import fall_back_unclaimed_leads as fall_back_task
from tests.support.factories import ContactFactory
from tests.support.team import make_agent, make_group

pytestmark = pytest.mark.django_db

START = datetime(2026, 12, 3, 16, 0, tzinfo=UTC)


def handed_off():
    return ContactFactory(needs_agent=True, handoff_reason="hot lead", handoff_at=timezone.now())


def kinds(contact):
    return [(e.kind, e.agent.username if e.agent else "", e.group_name) for e in RoutingEvent.objects.filter(contact=contact)]


def test_the_beat_runs_the_fallback_every_minute(settings):
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "team.fall_back_unclaimed_leads")
    assert entry["schedule"] == 60.0


def test_an_unclaimed_offer_moves_group_by_group_then_to_the_pond(routing_settings, django_capture_on_commit_callbacks):
    ana, ben, cai, dee = make_agent("ana"), make_agent("ben"), make_agent("cai"), make_agent("dee")
    make_group("First", 1, [ana], mode=RoutingMode.FIRST_TO_CLAIM, timeout=5)
    make_group("Second", 2, [ben, cai], mode=RoutingMode.FIRST_TO_CLAIM, timeout=15)
    with time_machine.travel(START, tick=False) as clock:
        lead = handed_off()
        with django_capture_on_commit_callbacks(execute=True):
            route_lead(lead.pk)
        clock.shift(timedelta(minutes=4, seconds=59))
        assert fall_back_task.apply().get() == []                       # not yet
        clock.shift(timedelta(seconds=1))
        with django_capture_on_commit_callbacks(execute=True):
            assert fall_back_task.apply().get() == [lead.pk]            # five minutes: the next group
        assignment = LeadAssignment.objects.get(contact=lead)
        assert assignment.group.name == "Second" and assignment.offer_round == 2
        assert assignment.offer_expires_at == START + timedelta(minutes=20)
        assert fall_back_unclaimed_leads() == []                        # twice in a row: nothing moves twice
        clock.shift(timedelta(minutes=15))
        with django_capture_on_commit_callbacks(execute=True):
            assert fall_back_unclaimed_leads() == [lead.pk]             # after the last group: the pond
    assignment = LeadAssignment.objects.get(contact=lead)
    assert assignment.status == AssignmentStatus.POND and assignment.offer_expires_at is None
    assert kinds(lead) == [
        ("offered", "ana", "First"),
        ("fell_back", "", "First"), ("offered", "ben", "Second"), ("offered", "cai", "Second"),
        ("fell_back", "", "Second"), ("pond", "", "shared pond"),
        ("offered", "ana", "shared pond"), ("offered", "ben", "shared pond"), ("offered", "cai", "shared pond"),
        ("offered", "dee", "shared pond"),
    ]
    # Each round alerted its agents: ana, then ben and cai, then all four.
    assert [m.to[0].split("@")[0] for m in mail.outbox] == ["ana", "ben", "cai", "ana", "ben", "cai", "dee"]
    with time_machine.travel(START + timedelta(days=2), tick=False):
        assert fall_back_unclaimed_leads() == []                        # the pond has no timeout


def test_an_unclaimed_offer_goes_to_a_round_robin_group_next(routing_settings):
    ana, ben = make_agent("ana"), make_agent("ben")
    make_group("First", 1, [ana], mode=RoutingMode.FIRST_TO_CLAIM, timeout=5)
    make_group("Backup", 2, [ben])
    with time_machine.travel(START, tick=False) as clock:
        lead = handed_off()
        route_lead(lead.pk)
        clock.shift(timedelta(minutes=6))
        fall_back_unclaimed_leads()
    assignment = LeadAssignment.objects.get(contact=lead)
    assert assignment.agent == ben and assignment.how == AssignmentHow.ROUND_ROBIN


def test_after_the_last_group_the_owner_gets_an_unclaimed_lead(routing_settings):
    routing_settings.ROUTING_AFTER_LAST_GROUP = "owner"
    owner = User.objects.create_superuser("root", "root@example.com", "pw")
    ana = make_agent("ana")
    make_group("First", 1, [ana], mode=RoutingMode.FIRST_TO_CLAIM, timeout=5)
    with time_machine.travel(START, tick=False) as clock:
        lead = handed_off()
        route_lead(lead.pk)
        clock.shift(timedelta(minutes=5))
        assert fall_back_unclaimed_leads() == [lead.pk]
    assignment = LeadAssignment.objects.get(contact=lead)
    assert assignment.agent == owner and assignment.how == AssignmentHow.OWNER
    assert kinds(lead)[-1] == ("owner", "root", "")


def test_a_claimed_lead_does_not_fall_back(routing_settings):
    from team.claim_links import ClaimTicket
    from team.services import claim_lead

    ana, ben = make_agent("ana"), make_agent("ben")
    make_group("First", 1, [ana], mode=RoutingMode.FIRST_TO_CLAIM, timeout=5)
    make_group("Second", 2, [ben])
    with time_machine.travel(START, tick=False) as clock:
        lead = handed_off()
        route_lead(lead.pk)
        clock.shift(timedelta(minutes=4))
        assert claim_lead(ticket=ClaimTicket(lead.pk, ana.pk, 1), user=ana).won
        clock.shift(timedelta(minutes=10))
        assert fall_back_unclaimed_leads() == []
    assert LeadAssignment.objects.get(contact=lead).agent == ana


@pytest.mark.django_db(transaction=True)
def test_a_second_worker_skips_an_offer_the_first_is_moving(routing_settings):
    ana, ben = make_agent("ana"), make_agent("ben")
    make_group("First", 1, [ana], mode=RoutingMode.FIRST_TO_CLAIM, timeout=5)
    make_group("Second", 2, [ben])
    lead = handed_off()
    route_lead(lead.pk)
    LeadAssignment.objects.filter(contact=lead).update(offer_expires_at=timezone.now() - timedelta(minutes=1))
    other_worker = []

    def run_other_worker():
        try:
            other_worker.append(fall_back_unclaimed_leads())
        finally:
            connections.close_all()

    with transaction.atomic():   # this "worker" holds the row, as it would while moving it
        LeadAssignment.objects.select_for_update().get(contact=lead)
        thread = threading.Thread(target=run_other_worker)
        thread.start()
        thread.join(timeout=20)
        assert not thread.is_alive()           # it did not wait for the lock...
        assert other_worker == [[]]            # ...and moved nothing
    assert fall_back_unclaimed_leads() == [lead.pk]
    assert LeadAssignment.objects.get(contact=lead).agent == ben
    assert RoutingEvent.objects.filter(contact=lead, kind="fell_back").count() == 1


def test_an_offer_that_falls_back_to_nobody_tells_the_fixed_list(routing_settings, django_capture_on_commit_callbacks):
    routing_settings.ROUTING_AFTER_LAST_GROUP = "owner"   # and there is no owner
    ana = make_agent("ana")
    make_group("First", 1, [ana], mode=RoutingMode.FIRST_TO_CLAIM, timeout=5)
    with time_machine.travel(START, tick=False) as clock:
        lead = handed_off()
        route_lead(lead.pk)
        clock.shift(timedelta(minutes=5))
        with django_capture_on_commit_callbacks(execute=True):
            assert fall_back_unclaimed_leads() == [lead.pk]
    assert LeadAssignment.objects.get(contact=lead).status == AssignmentStatus.UNROUTED
    assert kinds(lead)[-1][0] == "not_routed"
    assert [m.to for m in mail.outbox] == [["fixed-list@example.com"]] and lead.phone in mail.outbox[0].body
