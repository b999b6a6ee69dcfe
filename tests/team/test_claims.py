"""Claiming a lead from its link: signed, expiring, for its own agent only, confirmed by a POST (a GET only shows
the lead), and atomic: of two agents claiming at the same moment one wins and the other is told who has it."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connections, transaction
from django.utils import timezone

from team.claim_links import ClaimTicket, InvalidClaimLink, claim_token, read_claim_token
from team.models import AssignmentHow, AssignmentStatus, LeadAssignment, RoutingEvent, RoutingMode
from team.services import claim_lead, route_lead
from tests.support.factories import ContactFactory
from tests.support.team import make_agent, make_group, wait_for_lock_waiters

pytestmark = pytest.mark.django_db


def offered_lead(*agents, timeout=5):
    make_group("Claimers", 1, list(agents), mode=RoutingMode.FIRST_TO_CLAIM, timeout=timeout)
    lead = ContactFactory(name="Maya Chen", needs_agent=True, handoff_reason="hot lead", handoff_at=timezone.now())
    assignment = route_lead(lead.pk)
    assert assignment.status == AssignmentStatus.OFFERED
    return lead, assignment


def link(lead, agent, offer_round=1) -> str:
    return f"/leads/claim/{claim_token(ClaimTicket(lead.pk, agent.pk, offer_round))}/"


def test_a_token_reads_back_and_refuses_tampering_and_age(routing_settings):
    ticket = ClaimTicket(contact_id=7, agent_id=3, offer_round=2)
    token = claim_token(ticket)
    assert read_claim_token(token) == ticket
    with pytest.raises(InvalidClaimLink, match="not valid"):
        read_claim_token(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    with pytest.raises(InvalidClaimLink, match="not valid"):
        read_claim_token(claim_token(ticket).replace(":", ".", 1))
    routing_settings.ROUTING_CLAIM_LINK_HOURS = 24
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        with pytest.raises(InvalidClaimLink, match="expired"):
            read_claim_token(token)


def test_the_link_needs_a_login(routing_settings, client):
    ana = make_agent("ana")
    lead, _ = offered_lead(ana)
    response = client.get(link(lead, ana))
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_opening_the_link_shows_the_lead_and_claims_nothing(routing_settings, client):
    ana = make_agent("ana")
    lead, _ = offered_lead(ana)
    client.force_login(ana)
    response = client.get(link(lead, ana))
    html = response.content.decode()
    assert response.status_code == 200 and "Maya Chen" in html and "Claim this lead" in html
    assert 'data-claim="confirm"' in html
    assert LeadAssignment.objects.get(contact=lead).agent is None


def test_posting_claims_the_lead(routing_settings, client):
    ana, ben = make_agent("ana"), make_agent("ben")
    lead, _ = offered_lead(ana, ben)
    client.force_login(ben)
    response = client.post(link(lead, ben))
    assert response.status_code == 200 and 'data-claim="won"' in response.content.decode()
    assignment = LeadAssignment.objects.get(contact=lead)
    assert assignment.agent == ben and assignment.how == AssignmentHow.CLAIMED
    assert assignment.status == AssignmentStatus.ASSIGNED and assignment.offer_expires_at is None
    assert RoutingEvent.objects.filter(contact=lead, kind="claimed", agent=ben).count() == 1
    # The loser clicking later is told who has it.
    client.force_login(ana)
    response = client.post(link(lead, ana))
    assert response.status_code == 409 and "Already claimed by Ben" in response.content.decode()


def test_a_link_claims_only_for_its_own_agent(routing_settings, client):
    ana, ben = make_agent("ana"), make_agent("ben")
    lead, _ = offered_lead(ana, ben)
    client.force_login(ben)
    page = client.get(link(lead, ana)).content.decode()   # ana's link, forwarded to ben: no button
    assert 'data-claim="not-yours"' in page and "Claim this lead" not in page
    response = client.post(link(lead, ana))
    assert response.status_code == 409 and "sent to another agent" in response.content.decode()
    assert LeadAssignment.objects.get(contact=lead).agent is None


def test_a_link_of_an_agent_never_offered_the_lead_claims_nothing(routing_settings):
    ana, outsider = make_agent("ana"), make_agent("zed")
    lead, _ = offered_lead(ana)
    outcome = claim_lead(ticket=ClaimTicket(lead.pk, outsider.pk, 1), user=outsider)
    assert not outcome.won and "not offered to you" in outcome.message


def test_a_bad_or_expired_link_is_refused_in_words(routing_settings, client):
    ana = make_agent("ana")
    lead, _ = offered_lead(ana)
    client.force_login(ana)
    response = client.get("/leads/claim/not-a-token/")
    assert response.status_code == 400 and "not valid" in response.content.decode()
    url = link(lead, ana)
    with time_machine.travel(timezone.now() + timedelta(hours=routing_settings.ROUTING_CLAIM_LINK_HOURS, minutes=1)):
        client.force_login(ana)
        response = client.post(url)
    assert response.status_code == 400 and "expired" in response.content.decode()
    assert LeadAssignment.objects.get(contact=lead).agent is None


@pytest.mark.django_db(transaction=True)
def test_two_agents_claiming_at_once_one_wins_and_the_other_is_told(routing_settings):
    ana, ben = make_agent("ana"), make_agent("ben")
    lead, _ = offered_lead(ana, ben)
    outcomes = {}

    def click(agent):
        try:
            outcomes[agent.username] = claim_lead(ticket=ClaimTicket(lead.pk, agent.pk, 1), user=agent)
        finally:
            connections.close_all()

    # Hold the assignment's row lock so both claims are inside their UPDATE, waiting, before either can finish.
    with transaction.atomic():
        LeadAssignment.objects.select_for_update().get(contact=lead)
        threads = [threading.Thread(target=click, args=(agent,)) for agent in (ana, ben)]
        for thread in threads:
            thread.start()
        wait_for_lock_waiters(2)
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcome.won for outcome in outcomes.values()) == [False, True]
    winner = next(name for name, outcome in outcomes.items() if outcome.won)
    loser = next(outcome for outcome in outcomes.values() if not outcome.won)
    assert loser.message == f"Already claimed by {winner.capitalize()}."
    assert LeadAssignment.objects.get(contact=lead).agent.username == winner
    assert RoutingEvent.objects.filter(contact=lead, kind="claimed").count() == 1


def test_a_claim_after_the_offer_moved_on_is_told_so(routing_settings):
    ana, ben = make_agent("ana"), make_agent("ben")
    lead, _ = offered_lead(ana)
    make_group("Next", 2, [ben])
    from team.services import fall_back_unclaimed_leads

    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        assert fall_back_unclaimed_leads() == [lead.pk]
    outcome = claim_lead(ticket=ClaimTicket(lead.pk, ana.pk, 1), user=ana)
    assert not outcome.won and outcome.message == "Already claimed by Ben."


def test_a_claim_from_a_round_that_fell_back_to_the_pond_is_told_the_offer_moved_on(routing_settings):
    ana, ben = make_agent("ana"), make_agent("ben")
    lead, _ = offered_lead(ana)
    from team.services import fall_back_unclaimed_leads

    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        fall_back_unclaimed_leads()
    assert LeadAssignment.objects.get(contact=lead).status == AssignmentStatus.POND
    outcome = claim_lead(ticket=ClaimTicket(lead.pk, ana.pk, 1), user=ana)   # round 1's link
    assert not outcome.won and "moved on" in outcome.message
    assert claim_lead(ticket=ClaimTicket(lead.pk, ben.pk, 2), user=ben).won  # the pond's round
