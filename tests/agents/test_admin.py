"""The agents' admin through HTTP: list, search, filters and ordering, the contact page, the actions, and what an
agent (staff in the Agents group, not a superuser) may and may not do."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission, User
from django.urls import reverse
from django.utils import timezone

from bots.models import LLMCall, Provider
from leads.models import (Author, BotKind, Contact, DeliveryStatus, Direction, LeadType, Message, ScoreEvent,
                          ScoreReason, Temperature)
from tests.support.factories import ContactFactory, ConversationFactory, MessageFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:leads_contact_changelist")


def contact_page(contact):
    return reverse("admin:leads_contact_change", args=[contact.pk])


def action_url(contact, action):
    return reverse("admin:leads_contact_action", args=[contact.pk, action])


@pytest.fixture
def hot_lead():
    contact = ContactFactory(phone="+14155550101", name="Maya Chen", lead_type=LeadType.BUYER,
                             temperature=Temperature.HOT, frs_score=91, pcs_score=85, needs_agent=True,
                             handoff_at=timezone.now() - timedelta(minutes=20), handoff_reason="hot lead", facts={"financing": "pre_approved", "budget_max": 650000,
                                                               "areas": ["Noe Valley"], "timeline_days": 90})
    conversation = ConversationFactory(contact=contact, active_bot=BotKind.BUYER)
    MessageFactory(conversation=conversation, body="We're pre-approved for $650k, looking in Noe Valley")
    MessageFactory(conversation=conversation, direction=Direction.OUTBOUND, author=Author.HANDOFF,
                   status=DeliveryStatus.DELIVERED, body="Great news! One of our agents will text you shortly.")
    ScoreEvent.objects.create(contact=contact, frs=91, pcs=85, temperature=Temperature.HOT, reason=ScoreReason.TURN)
    LLMCall.objects.create(contact=contact, kind="response", provider=Provider.ANTHROPIC, model="claude-sonnet-4-6",
                           cost_usd=Decimal("0.0123"))
    LLMCall.objects.create(contact=contact, kind="intent", provider=Provider.ANTHROPIC, model="claude-haiku-4-5",
                           cost_usd=Decimal("0.0011"))
    return contact


def listed_phones(response):
    return [contact.phone for contact in response.context["cl"].result_list]


def test_the_list_puts_hot_leads_waiting_first_and_shows_badges_and_flags(client, agent, hot_lead):
    ContactFactory(phone="+14155550111", temperature=Temperature.WARM)
    ContactFactory(phone="+14155550112", temperature=Temperature.HOT)           # Hot, but nobody waits on it
    ContactFactory(phone="+14155550113", temperature=Temperature.COLD, needs_agent=True)  # asked for a person
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert listed_phones(response) == ["+14155550101", "+14155550113", "+14155550112", "+14155550111"]
    html = response.content.decode()
    assert '<span class="temperature-badge temperature-hot">Hot</span>' in html
    assert "Buyer bot" in html and "Maya Chen" in html
    for column in ("FRS", "PCS", "Last message", "Who has it", "Opt-out / opt-in", "Stage"):
        assert column in html


@pytest.mark.parametrize("term", ["(415) 555-0101", "+1 415 555 0101", "4155550101", "555-0101", "maya", "Chen"])
def test_search_finds_a_phone_in_any_format_and_names(client, agent, hot_lead, term):
    ContactFactory(phone="+15125550199", name="Luis Ortega")
    response = client.get(CHANGELIST, {"q": term})
    assert listed_phones(response) == ["+14155550101"]


@pytest.mark.parametrize("query, expected", [
    ({"temperature__exact": "hot"}, ["+14155550101"]),
    ({"lead_type__exact": "seller"}, ["+15125550198"]),
    ({"stage": "buyer"}, ["+14155550101"]),
    ({"stage": "seller"}, ["+15125550198"]),
    ({"needs_agent__exact": "1"}, ["+14155550101"]),
    ({"opted_out__exact": "1"}, ["+15125550197"]),
    ({"bot_paused__exact": "1"}, ["+15125550197"]),
])
def test_filters(client, agent, hot_lead, query, expected):
    seller = ContactFactory(phone="+15125550198", lead_type=LeadType.SELLER, temperature=Temperature.WARM)
    ConversationFactory(contact=seller, active_bot=BotKind.SELLER)
    ContactFactory(phone="+15125550197", opted_out=True, bot_paused=True)
    assert listed_phones(client.get(CHANGELIST, query)) == expected


def test_the_contact_page_shows_transcript_facts_history_and_cost(client, agent, hot_lead):
    html = client.get(contact_page(hot_lead)).content.decode()
    assert "We&#x27;re pre-approved for $650k, looking in Noe Valley" in html
    assert 'class="bubble inbound author-prospect"' in html
    assert 'class="bubble outbound author-handoff"' in html and "Delivered" in html
    assert "<th scope=\"row\">Budget up to</th><td>$650,000</td>" in html
    assert "<th scope=\"row\">Financing</th><td>pre approved</td>" in html
    assert "<th scope=\"row\">Timeline</th><td>within 90 days</td>" in html
    assert "Conversation turn" in html                        # the score history
    assert "Cost so far <strong>$0.0134</strong>" in html
    assert "Waiting for an agent since" in html and "hot lead" in html
    for label in ("Take over", "Re-score now", "Invalidate cache", "Mark opted out", "Send SMS"):
        assert label in html
    assert "Hand back to the bot" not in html  # nobody has it yet: only taking it over applies


def test_take_over_then_hand_back_from_the_contact_page(client, agent, hot_lead):
    response = client.post(action_url(hot_lead, "take_over"), follow=True)
    assert response.redirect_chain[-1][0] == contact_page(hot_lead)
    assert "Take over: you have the conversation: the bot is paused." in response.content.decode()
    hot_lead.refresh_from_db()
    assert hot_lead.bot_paused and not hot_lead.needs_agent
    assert LogEntry.objects.filter(user=agent, object_id=str(hot_lead.pk)).exists()  # who did it is on record

    client.post(action_url(hot_lead, "hand_back"))
    hot_lead.refresh_from_db()
    assert not hot_lead.bot_paused


def test_a_manual_text_is_queued_through_the_outbound_service(client, agent, hot_lead, settings,
                                                              django_capture_on_commit_callbacks):
    settings.SMS_SEND_FROM_HOUR, settings.SMS_SEND_UNTIL_HOUR = 0, 24
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("admin:leads_contact_text", args=[hot_lead.pk]),
                               {"body": "Hi Maya, Dana here. Free for a call at 4?"}, follow=True)
    assert "Text queued for sending" in response.content.decode()
    assert len(callbacks) == 1
    text = Message.objects.get(author=Author.AGENT)
    assert (text.contact, text.direction, text.status) == (hot_lead, Direction.OUTBOUND, DeliveryStatus.QUEUED)
    assert "Hi Maya, Dana here. Free for a call at 4?" in response.content.decode()  # now in the transcript
    hot_lead.refresh_from_db()
    assert hot_lead.bot_paused


def test_a_manual_text_in_quiet_hours_says_when_it_goes_out(client, agent, hot_lead, settings):
    settings.SMS_SEND_FROM_HOUR, settings.SMS_SEND_UNTIL_HOUR = 0, 0  # no hour is a sending hour
    response = client.post(reverse("admin:leads_contact_text", args=[hot_lead.pk]), {"body": "Morning!"}, follow=True)
    assert "Quiet hours where the contact is: the text goes out at" in response.content.decode()


@pytest.mark.parametrize("body, problem", [("", "This field is required."), ("x" * 1601, "at most 1600 characters")])
def test_a_bad_manual_text_is_refused_with_a_reason(client, agent, hot_lead, body, problem):
    response = client.post(reverse("admin:leads_contact_text", args=[hot_lead.pk]), {"body": body}, follow=True)
    assert "Not sent: " in response.content.decode() and problem in response.content.decode()
    assert not Message.objects.filter(author=Author.AGENT).exists()


def test_mark_opted_out_hides_texting(client, agent, hot_lead):
    client.post(action_url(hot_lead, "mark_opted_out"))
    hot_lead.refresh_from_db()
    assert hot_lead.opted_out and hot_lead.opted_out_at
    html = client.get(contact_page(hot_lead)).content.decode()
    assert 'class="agent-text"' not in html and 'data-action="mark_opted_out"' not in html
    assert "Opted out" in html and 'data-action="rescore"' in html
    assert 'data-action="take_over"' not in html and 'data-action="hand_back"' not in html  # nothing to take: no texts


def test_rescore_and_invalidate_cache_from_the_contact_page(client, agent, hot_lead):
    version = hot_lead.cache_version
    # The move is now five months away (the facts were corrected): pre-approved with a budget, but not soon.
    Contact.objects.filter(pk=hot_lead.pk).update(facts={**hot_lead.facts, "timeline_days": 150})
    response = client.post(action_url(hot_lead, "rescore"), follow=True)
    assert "re-scored from the stored facts: FRS 85, PCS 45, Warm (was FRS 91, PCS 85, Hot)" in response.content.decode()
    hot_lead.refresh_from_db()
    assert hot_lead.temperature == Temperature.WARM and hot_lead.cache_version == version + 1
    assert ScoreEvent.objects.filter(contact=hot_lead, reason=ScoreReason.RESCORE).exists()

    response = client.post(action_url(hot_lead, "invalidate_cache"), follow=True)
    assert f"cache version {version + 2}" in response.content.decode()
    hot_lead.refresh_from_db()
    assert hot_lead.cache_version == version + 2


def test_bulk_actions_on_selected_contacts(client, agent, hot_lead):
    other = ContactFactory(needs_agent=True)
    gone = ContactFactory(opted_out=True)
    response = client.post(CHANGELIST, {"action": "take_over", "_selected_action": [hot_lead.pk, other.pk, gone.pk]},
                           follow=True)
    assert "Take over: 2 contact(s); 1 left as they were (it does not apply to them)." in response.content.decode()
    assert set(Contact.objects.filter(bot_paused=True).values_list("taken_over_by", flat=True)) == {agent.pk}
    assert Contact.objects.filter(bot_paused=True).count() == 2


def test_actions_need_post_and_a_known_name(client, agent, hot_lead):
    assert client.get(action_url(hot_lead, "take_over")).status_code == 405
    assert client.post(action_url(hot_lead, "delete_everything")).status_code == 403
    assert client.post(reverse("admin:leads_contact_action", args=[999999, "take_over"])).status_code == 404


def test_agents_work_leads_but_cannot_delete_or_change_settings(client, agent, hot_lead):
    assert client.get(CHANGELIST).status_code == 200
    assert client.get(reverse("admin:bots_llmcall_changelist")).status_code == 200      # the cost ledger, read-only
    assert client.get(reverse("admin:leads_message_changelist")).status_code == 200
    for forbidden in (reverse("admin:leads_contact_delete", args=[hot_lead.pk]),
                      reverse("admin:auth_user_changelist"), reverse("admin:auth_group_changelist"),
                      reverse("admin:caching_semanticcacheentry_changelist"), reverse("admin:leads_contact_add")):
        assert client.get(forbidden).status_code == 403, forbidden
    actions = client.get(CHANGELIST).context["action_form"].fields["action"].choices
    assert "delete_selected" not in [name for name, _ in actions]
    # Editing the contact is allowed, but scores and flags are not form fields: they change through actions.
    response = client.post(contact_page(hot_lead), {"name": "Maya C.", "lead_type": "buyer", "temperature": "cold",
                                                    "opted_out": "on"})
    assert response.status_code == 302
    hot_lead.refresh_from_db()
    assert hot_lead.name == "Maya C." and hot_lead.temperature == Temperature.HOT and not hot_lead.opted_out


def test_a_staff_user_who_may_only_view_cannot_act(client, hot_lead):
    viewer = User.objects.create_user("viewer", password="x", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_contact"))
    client.force_login(viewer)
    html = client.get(contact_page(hot_lead)).content.decode()
    assert "Take over" not in html and "Send SMS" not in html
    assert client.post(action_url(hot_lead, "take_over")).status_code == 403
    assert client.post(reverse("admin:leads_contact_text", args=[hot_lead.pk]), {"body": "hi"}).status_code == 403
    hot_lead.refresh_from_db()
    assert not hot_lead.bot_paused and not Message.objects.filter(author=Author.AGENT).exists()


def test_anonymous_visitors_are_sent_to_the_login(client, hot_lead):
    response = client.post(action_url(hot_lead, "take_over"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    hot_lead.refresh_from_db()
    assert not hot_lead.bot_paused


def test_a_superseded_reply_shows_as_superseded(client, agent, hot_lead):
    stale = MessageFactory(conversation=hot_lead.conversations.get(), direction=Direction.OUTBOUND,
                           author=Author.BOT, status=DeliveryStatus.SUPERSEDED, body="What price range are you in?")
    html = client.get(contact_page(hot_lead)).content.decode()
    assert 'class="bubble outbound author-bot not-sent"' in html
    assert '<span class="fate fate-not-sent">Not sent: a newer reply replaced it</span>' in html
    listed = client.get(reverse("admin:leads_message_changelist"), {"status__exact": "superseded"})
    assert [message.pk for message in listed.context["cl"].result_list] == [stale.pk]
    assert "Superseded (a newer reply was queued)" in listed.content.decode()  # the status filter offers it
