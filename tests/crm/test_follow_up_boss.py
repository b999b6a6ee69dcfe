"""The Follow Up Boss connector: with an API key (and the registered system) configured, the lead's events are
posted to https://api.followupboss.com/v1/events in FUB's documented shape, with HTTP Basic auth (the key as the
user name) and X-System / X-System-Key, through the same delivery rows and retries as the webhooks. FUB is faked at
the HTTP layer (respx), so the real client code runs."""

import base64
import json

import pytest
import respx
from django.db import transaction
from httpx import Response

from crm.models import DeliveryStatus, EndpointKind, WebhookDelivery, WebhookEndpoint
from crm.services import FOLLOW_UP_BOSS_EVENTS_URL
from crm.tasks import deliver_webhook
from leads.models import Temperature
from leads.services import contact_apply_turn, contact_get_or_create, contact_merge_web_lead

pytestmark = pytest.mark.django_db


@pytest.fixture
def follow_up_boss(settings):
    settings.FOLLOW_UP_BOSS_API_KEY = "fub-test-api-key"
    settings.FOLLOW_UP_BOSS_SYSTEM = "LeadQualifier"
    settings.FOLLOW_UP_BOSS_SYSTEM_KEY = "fub-test-system-key"
    with respx.mock(assert_all_called=False) as fake:
        route = fake.post(FOLLOW_UP_BOSS_EVENTS_URL).mock(return_value=Response(200, json={"id": 501}))
        yield route


def fub_deliveries():
    return list(WebhookDelivery.objects.filter(endpoint__kind=EndpointKind.FOLLOW_UP_BOSS).order_by("pk"))


def test_a_web_lead_is_a_registration_with_the_person_in_fubs_shape(follow_up_boss, committed):
    with committed():
        with transaction.atomic():
            contact, _ = contact_merge_web_lead(phone="(512) 555-0301", name="Ana Maria Reyes",
                                                email="ana@example.com", source="Zillow")
    [delivery] = fub_deliveries()
    assert deliver_webhook.apply(args=[delivery.pk]).get() == DeliveryStatus.DELIVERED

    [call] = follow_up_boss.calls
    request = call.request
    assert request.headers["Authorization"] == "Basic " + base64.b64encode(b"fub-test-api-key:").decode()
    assert request.headers["X-System"] == "LeadQualifier" and request.headers["X-System-Key"] == "fub-test-system-key"
    assert "X-Webhook-Signature" not in request.headers
    body = json.loads(request.content)
    assert body["source"] == "Zillow" and body["system"] == "LeadQualifier" and body["type"] == "Registration"
    assert body["message"] == "New web lead, qualified by text message"
    assert body["person"] == {"firstName": "Ana", "lastName": "Maria Reyes", "phones": [{"value": "+15125550301"}],
                              "emails": [{"value": "ana@example.com"}], "tags": ["SMS qualified", "Cold"]}
    assert body["occurredAt"]


def test_a_seller_handoff_is_a_seller_inquiry_with_its_facts(follow_up_boss, committed):
    contact, _ = contact_get_or_create(phone="+15125550302", name="Sam")
    with committed():
        contact_apply_turn(contact=contact, name="Sam", lead_type="seller", facts={"address": "12 Elm St",
                           "timeline_days": 30}, frs=80, pcs=90, temperature=Temperature.HOT, bot="seller",
                           asked_slot="", handoff_reason="hot lead")
    [delivery] = fub_deliveries()  # FUB hears the handoff; temperature and stage ride along as tags
    assert delivery.event == "lead.handed_off"
    body = delivery.body
    assert (body["type"], body["message"], body["source"]) == ("Seller Inquiry", "Handed to an agent: hot lead",
                                                              "Text message")
    assert "Address: 12 Elm St" in body["description"] and "within 30 days" in body["description"]
    assert body["person"]["tags"] == ["SMS qualified", "Hot", "Seller"] and "emails" not in body["person"]


def test_an_assignment_names_the_agent(follow_up_boss):
    from leads import events
    from leads.models import Contact

    contact, _ = contact_get_or_create(phone="+15125550303")
    events.lead_assigned.send(sender=Contact, contact_id=contact.pk,
                              payload={"agent": {"id": 1, "name": "Dana Cruz", "email": "d@example.com"}, "how": "claimed"})
    [delivery] = fub_deliveries()
    assert delivery.body["message"] == "Assigned to Dana Cruz (claimed)"


def test_fub_errors_follow_the_same_retry_rules(follow_up_boss, committed):
    follow_up_boss.mock(side_effect=[Response(503), Response(401)])
    with committed():
        contact_get_or_create(phone="+15125550304")
    [delivery] = fub_deliveries()
    assert deliver_webhook.apply(args=[delivery.pk]).get() == DeliveryStatus.FAILED
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=delivery.created_at)
    assert deliver_webhook.apply(args=[delivery.pk]).get() == DeliveryStatus.GAVE_UP  # a bad key is not retried
    assert list(delivery.attempts.values_list("http_status", flat=True)) == [503, 401]


def test_without_an_api_key_nothing_goes_to_fub(settings, committed):
    settings.FOLLOW_UP_BOSS_API_KEY = ""
    with respx.mock(assert_all_called=False) as fake:
        route = fake.post(FOLLOW_UP_BOSS_EVENTS_URL)
        with committed():
            contact_get_or_create(phone="+15125550305")
    assert not route.called and fub_deliveries() == []
    assert not WebhookEndpoint.objects.filter(kind=EndpointKind.FOLLOW_UP_BOSS).exists()


def test_the_key_removed_later_gives_pending_deliveries_up_unsent(follow_up_boss, committed, settings):
    with committed():
        contact_get_or_create(phone="+15125550306")
    [delivery] = fub_deliveries()
    settings.FOLLOW_UP_BOSS_API_KEY = ""
    assert deliver_webhook.apply(args=[delivery.pk]).get() == DeliveryStatus.GAVE_UP
    assert not follow_up_boss.called and delivery.attempts.get().error == "FOLLOW_UP_BOSS_API_KEY is not set"
