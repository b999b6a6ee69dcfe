"""The team in the admin: the agent profile on the user's page, the agents' list, routing groups, and on the
contact's page who has the lead, its routing history and the reassign form."""

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from team.models import AgentProfile, AssignmentHow, LeadAssignment, RoutingEvent, RoutingGroup, RoutingMode
from team.services import route_lead
from tests.support.factories import ContactFactory
from tests.support.team import make_agent, make_group

pytestmark = pytest.mark.django_db


def contact_page(contact):
    return reverse("admin:leads_contact_change", args=[contact.pk])


def test_the_user_page_edits_the_agent_profile(admin_client):
    ana = make_agent("ana", phone="+15125550101", areas=["Austin"])
    page = admin_client.get(reverse("admin:auth_user_change", args=[ana.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "agent profile" in html and "+15125550101" in html
    assert admin_client.get(reverse("admin:auth_user_add")).status_code == 200


def test_a_profile_is_added_on_the_user_page(admin_client):
    user = User.objects.create_user("ben", email="ben@example.com", is_staff=True)
    prefix = "agent_profile"
    form = {
        "username": "ben", "email": "ben@example.com", "is_active": "on", "is_staff": "on",
        "date_joined_0": "2026-12-01", "date_joined_1": "09:00:00",
        f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1",
        f"{prefix}-0-accepting_leads": "on", f"{prefix}-0-phone": "+15125550102",
        f"{prefix}-0-time_zone": "America/Chicago", f"{prefix}-0-work_days": "[0, 1, 2, 3, 4]",
        f"{prefix}-0-work_start": "09:00", f"{prefix}-0-work_end": "17:00", f"{prefix}-0-lead_types": '["buyer"]',
        f"{prefix}-0-areas": '["Round Rock"]', f"{prefix}-0-price_min": "300000", f"{prefix}-0-price_max": "",
    }
    response = admin_client.post(reverse("admin:auth_user_change", args=[user.pk]), form)
    assert response.status_code == 302, response.context["adminform"].errors if response.context else response
    profile = AgentProfile.objects.get(user=user)
    assert profile.lead_types == ["buyer"] and profile.areas == ["Round Rock"] and profile.price_min == 300000


def test_the_agents_list_and_routing_groups_render(admin_client):
    ana = make_agent("ana")
    group = make_group("Buyers", 1, [ana], mode=RoutingMode.FIRST_TO_CLAIM, timeout=7)
    listing = admin_client.get(reverse("admin:team_agentprofile_changelist")).content.decode()
    assert "Ana" in listing
    groups = admin_client.get(reverse("admin:team_routinggroup_changelist")).content.decode()
    assert "Buyers" in groups and "First to claim" in groups
    assert admin_client.get(reverse("admin:team_routinggroup_change", args=[group.pk])).status_code == 200
    assert admin_client.get(reverse("admin:team_routinggroup_add")).status_code == 200


def test_a_routing_group_is_made_in_the_admin(admin_client):
    ana, ben = make_agent("ana"), make_agent("ben")
    response = admin_client.post(reverse("admin:team_routinggroup_add"), {
        "name": "Luxury", "order": "3", "mode": "round_robin", "claim_timeout_minutes": "5",
        "members": [ana.agent_profile.pk, ben.agent_profile.pk]})
    assert response.status_code == 302
    assert sorted(p.user.username for p in RoutingGroup.objects.get(name="Luxury").members.all()) == ["ana", "ben"]


def test_the_contact_page_shows_who_has_the_lead_and_its_history(routing_settings, admin_client):
    ana, ben = make_agent("ana"), make_agent("ben")
    make_group("Claimers", 1, [ana, ben], mode=RoutingMode.FIRST_TO_CLAIM)
    lead = ContactFactory(name="Maya Chen", needs_agent=True, handoff_reason="hot lead", handoff_at=timezone.now())
    route_lead(lead.pk)
    html = admin_client.get(contact_page(lead)).content.decode()
    assert "Who has the lead" in html and "Nobody yet: offered to Claimers" in html
    assert html.count('data-routing-event="offered"') == 2
    assert "Reassign" in html


def test_an_agent_reassigns_a_lead_by_hand(routing_settings, client, agent, django_capture_on_commit_callbacks):
    ana, ben = make_agent("ana"), make_agent("ben")
    make_group("Everyone", 1, [ana, ben])
    lead = ContactFactory(needs_agent=True, handoff_reason="hot lead", handoff_at=timezone.now())
    route_lead(lead.pk)
    assert LeadAssignment.objects.get(contact=lead).agent == ana
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:leads_contact_assign", args=[lead.pk]), {"agent": ben.pk})
    assert response.status_code == 302
    assignment = LeadAssignment.objects.get(contact=lead)
    assert assignment.agent == ben and assignment.how == AssignmentHow.REASSIGNED
    event = RoutingEvent.objects.filter(contact=lead).last()
    assert (event.kind, event.agent, event.actor) == ("reassigned", ben, agent)
    html = client.get(contact_page(lead)).content.decode()
    assert "<strong>Ben</strong> (reassigned by hand" in html and "Reassigned by hand by dana" in html
    assert [m.to for m in mail.outbox] == [["ben@example.com"]] and "given to you by dana" in mail.outbox[0].body


def test_a_lead_is_not_given_to_a_user_without_a_profile(routing_settings, client, agent):
    make_agent("ana")
    lead = ContactFactory()
    response = client.post(reverse("admin:leads_contact_assign", args=[lead.pk]), {"agent": agent.pk}, follow=True)
    assert "Not reassigned" in response.content.decode()
    assert not LeadAssignment.objects.filter(contact=lead).exists()


def test_a_team_without_profiles_sees_no_reassign_form(admin_client):
    html = admin_client.get(contact_page(ContactFactory())).content.decode()
    assert "Nobody: not routed to an agent" in html and "Reassign" not in html


def test_an_agent_pauses_their_own_new_leads_and_sees_no_one_elses_profile(client):
    ana, ben = make_agent("ana", areas=["Austin"]), make_agent("ben")
    client.force_login(ana)
    listing = client.get(reverse("admin:team_agentprofile_changelist")).content.decode()
    assert "Ana" in listing and "Ben" not in listing
    assert client.get(reverse("admin:team_agentprofile_change", args=[ben.agent_profile.pk])).status_code == 302
    page = reverse("admin:team_agentprofile_change", args=[ana.agent_profile.pk])
    response = client.post(page, {"areas": '["Everywhere"]', "price_min": "1"})   # the switch unticked: paused
    assert response.status_code == 302
    profile = AgentProfile.objects.get(user=ana)
    assert profile.accepting_leads is False and profile.areas == ["Austin"] and profile.price_min is None
    assert client.get(reverse("admin:team_routinggroup_changelist")).status_code == 403


def test_the_contacts_list_says_whose_lead_it_is(routing_settings, admin_client):
    ana = make_agent("ana")
    make_group("Everyone", 1, [ana])
    mine = ContactFactory(name="Maya Chen", needs_agent=True, handoff_at=timezone.now())
    route_lead(mine.pk)
    ContactFactory(name="Luis Ortega")
    response = admin_client.get(reverse("admin:leads_contact_changelist"))
    rows = {contact.name: contact for contact in response.context["cl"].result_list}
    admin_page = response.context["cl"].model_admin
    assert admin_page.lead_agent(rows["Maya Chen"]) == "Ana" and admin_page.lead_agent(rows["Luis Ortega"]) == "-"
    assert "column-lead_agent" in response.content.decode()  # the column is on the list
