"""The CRM sync in the admin through HTTP: an operator adds an endpoint, sees each delivery with its attempts, and
replays one (a new attempt, recorded as theirs); an agent without the permission cannot replay."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from crm.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from crm.services import event_record
from crm.tasks import deliver_webhook
from leads.services import contact_get_or_create

pytestmark = pytest.mark.django_db

DELIVERIES = reverse("admin:crm_webhookdelivery_changelist")


@pytest.fixture
def operator(client):
    user = User.objects.create_superuser("olga", password="operator-password")
    client.force_login(user)
    return user


def a_delivered_one(endpoint):
    contact, _ = contact_get_or_create(phone="+15125550401", name="Ana Reyes")
    [delivery] = event_record(event="lead.created", contact_id=contact.pk, payload={"via": "text"})
    deliver_webhook.apply(args=[delivery.pk])
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    return delivery


def test_an_operator_adds_an_endpoint_with_the_events_it_wants(client, operator):
    page = client.get(reverse("admin:crm_webhookendpoint_add"))
    assert page.status_code == 200 and b"Handed off to an agent" in page.content
    response = client.post(reverse("admin:crm_webhookendpoint_add"), {
        "kind": "webhook", "url": "https://crm.example.com/hooks", "secret": "s3cret-shared-with-them",
        "events": ["lead.created", "lead.handed_off"], "active": "on", "description": "Our CRM"})
    assert response.status_code == 302, response.content.decode()[:2000]
    endpoint = WebhookEndpoint.objects.get(description="Our CRM")
    assert endpoint.events == ["lead.created", "lead.handed_off"] and endpoint.active


def test_a_webhook_without_a_secret_is_refused_in_words(client, operator):
    response = client.post(reverse("admin:crm_webhookendpoint_add"), {
        "kind": "webhook", "url": "https://crm.example.com/hooks", "secret": "", "events": ["lead.created"],
        "active": "on"})
    assert response.status_code == 200 and b"needs a secret" in response.content
    assert not WebhookEndpoint.objects.exists()


def test_deliveries_are_listed_with_their_attempts(client, operator, endpoint):
    delivery = a_delivered_one(endpoint)
    listing = client.get(DELIVERIES, {"status": "delivered"})
    assert listing.status_code == 200 and b"lead.created" in listing.content and b"Delivered" in listing.content
    page = client.get(reverse("admin:crm_webhookdelivery_change", args=[delivery.pk]))
    assert page.status_code == 200
    assert str(delivery.event_id).encode() in page.content and b"+15125550401" in page.content  # the body
    assert b"200" in page.content  # the attempt's HTTP status


def test_replay_makes_a_new_attempt_recorded_as_the_operators(client, operator, endpoint, receiver,
                                                               django_capture_on_commit_callbacks):
    delivery = a_delivered_one(endpoint)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(DELIVERIES, {"action": "replay", "_selected_action": [delivery.pk]}, follow=True)
    assert b"1 delivery(ies) queued for a new attempt" in response.content
    assert len(queued) == 1  # its task, queued when the replay commits
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING and delivery.replay_requested_by == operator

    assert deliver_webhook.apply(args=[delivery.pk]).get() == DeliveryStatus.DELIVERED
    assert len(receiver.requests) == 2  # the first delivery and its replay, the same body
    assert receiver.requests[0].body == receiver.requests[1].body
    first, replayed = delivery.attempts.all()
    assert first.replayed_by is None and replayed.replayed_by == operator
    delivery.refresh_from_db()
    assert delivery.attempt_count == 2 and delivery.replay_requested_by is None


def test_a_failed_delivery_can_be_replayed_after_giving_up(client, operator, endpoint, receiver):
    receiver.statuses = [410, 200]
    contact, _ = contact_get_or_create(phone="+15125550402")
    [delivery] = event_record(event="lead.created", contact_id=contact.pk, payload={"via": "text"})
    assert deliver_webhook.apply(args=[delivery.pk]).get() == DeliveryStatus.GAVE_UP
    client.post(DELIVERIES, {"action": "replay", "_selected_action": [delivery.pk]})
    assert deliver_webhook.apply(args=[delivery.pk]).get() == DeliveryStatus.DELIVERED


def test_an_agent_without_the_permission_cannot_replay(client, agent, endpoint):
    delivery = a_delivered_one(endpoint)
    client.post(DELIVERIES, {"action": "replay", "_selected_action": [delivery.pk]})
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.replay_requested_by is None


def test_the_follow_up_boss_endpoint_needs_no_secret_and_there_is_one(client, operator):
    fields = {"kind": "follow_up_boss", "url": "https://api.followupboss.com/v1/events", "secret": "",
              "events": ["lead.created"], "active": "on"}
    assert client.post(reverse("admin:crm_webhookendpoint_add"), fields).status_code == 302
    second = client.post(reverse("admin:crm_webhookendpoint_add"), fields)
    assert second.status_code == 200 and WebhookEndpoint.objects.count() == 1
