"""The lead's life as events: each domain event the leads layer owns is announced once its change commits, and
becomes one delivery per active endpoint subscribed to it (and none for the others); a rolled-back change
announces nothing. The body has the documented shape."""

import uuid

import pytest
from django.db import transaction

from crm.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from leads import events
from leads.models import Contact, Temperature
from leads.services import contact_apply_turn, contact_get_or_create, contact_merge_web_lead, contact_set_opt_out

pytestmark = pytest.mark.django_db


def deliveries(event=None):
    found = WebhookDelivery.objects.order_by("pk")
    return list(found.filter(event=event) if event else found)


def turn(contact, **changes):
    values = dict(name=contact.name, lead_type=contact.lead_type, facts=contact.facts, frs=contact.frs_score,
                  pcs=contact.pcs_score, temperature=contact.temperature, bot="lead", asked_slot="", handoff_reason="")
    values.update(changes)
    return contact_apply_turn(contact=contact, **values)


def test_a_contact_who_texts_in_is_a_created_lead_with_the_documented_body(endpoint, committed):
    with committed():
        contact, created = contact_get_or_create(phone="(512) 555-0101")
    assert created
    [delivery] = deliveries()
    assert (delivery.endpoint, delivery.event, delivery.status) == (endpoint, "lead.created", DeliveryStatus.PENDING)
    body = delivery.body
    assert set(body) == {"event", "id", "occurred_at", "contact", "data"}
    assert body["event"] == "lead.created" and uuid.UUID(body["id"]) == delivery.event_id
    assert body["contact"] == {"id": contact.pk, "name": "", "phone": "+15125550101", "email": "", "lead_type": "unknown",
                               "temperature": "cold", "facts": {}, "source": ""}
    assert body["data"] == {"via": "text"}

    with committed():  # the same number again is the same contact: nothing new to tell
        contact_get_or_create(phone="+1 512 555 0101")
    assert len(deliveries()) == 1


def test_a_web_lead_is_created_with_what_the_lead_said(endpoint, committed):
    with committed():
        with transaction.atomic():
            contact, _ = contact_merge_web_lead(phone="+15125550102", name="Ana Reyes", email="ana@example.com",
                                                source="Zillow")
    [delivery] = deliveries()
    assert delivery.body["data"] == {"via": "web_lead"}
    assert delivery.body["contact"]["email"] == "ana@example.com" and delivery.body["contact"]["source"] == "Zillow"


def test_temperature_stage_and_handoff_changes_are_announced(endpoint, committed):
    contact, _ = contact_get_or_create(phone="+15125550103")  # not committed: no lead.created here
    with committed():
        turn(contact, lead_type="buyer", bot="buyer", temperature=Temperature.WARM, facts={"budget_max": 450000})
    assert [d.body["data"] for d in deliveries("lead.temperature_changed")] == [
        {"from": "cold", "to": "warm", "reason": "turn"}]
    assert [d.body["data"] for d in deliveries("lead.stage_changed")] == [
        {"from": "lead", "to": "buyer", "closed_reason": ""}]

    with committed():  # the same again: no change, no event
        turn(contact, lead_type="buyer", bot="buyer", temperature=Temperature.WARM, facts={"budget_max": 450000})
    assert len(deliveries()) == 2

    with committed():
        turn(contact, lead_type="buyer", bot="buyer", temperature=Temperature.HOT, handoff_reason="hot lead")
    assert [d.body["data"] for d in deliveries("lead.handed_off")] == [{"reason": "hot lead"}]
    assert deliveries("lead.temperature_changed")[-1].body["contact"]["temperature"] == "hot"

    with committed():  # handed off already: a second handoff reason changes nothing
        turn(contact, lead_type="buyer", bot="buyer", temperature=Temperature.HOT, handoff_reason="asked for a person")
    assert len(deliveries("lead.handed_off")) == 1


def test_closing_and_reopening_the_conversation_are_stage_changes(endpoint, committed):
    contact, _ = contact_get_or_create(phone="+15125550104")
    with committed():
        turn(contact, closed_reason="not interested")
        turn(contact, closed_reason="")
    assert [d.body["data"] for d in deliveries("lead.stage_changed")] == [
        {"from": "lead", "to": "closed", "closed_reason": "not interested"},
        {"from": "closed", "to": "lead", "closed_reason": ""}]


def test_an_opt_out_cools_the_lead(endpoint, committed):
    contact, _ = contact_get_or_create(phone="+15125550105")
    turn(contact, temperature=Temperature.WARM)
    with committed():
        contact_set_opt_out(contact=contact, opted_out=True)
    assert [d.body["data"] for d in deliveries("lead.temperature_changed")] == [
        {"from": "warm", "to": "cold", "reason": "rescore"}]


def test_only_active_endpoints_subscribed_to_the_event_get_it(endpoint, committed):
    handoffs_only = WebhookEndpoint.objects.create(url="https://crm.example.com/a", events=["lead.handed_off"])
    WebhookEndpoint.objects.create(url="https://crm.example.com/off", active=False)
    with committed():
        contact, _ = contact_get_or_create(phone="+15125550106")
    assert [d.endpoint for d in deliveries()] == [endpoint]
    with committed():
        turn(contact, handoff_reason="asked for a person")
    assert sorted(d.endpoint.pk for d in deliveries("lead.handed_off")) == sorted([endpoint.pk, handoffs_only.pk])
    # One event, one id, at every endpoint.
    assert len({d.event_id for d in deliveries("lead.handed_off")}) == 1


def test_events_the_layers_above_send_are_delivered_too(endpoint, committed):
    """lead_assigned (team routing) and appointment_changed (booking) are sent by other apps; whoever sends them,
    on commit as leads.events asks, the endpoints hear them with their payload as data."""
    contact, _ = contact_get_or_create(phone="+15125550107")
    assigned = {"agent": {"id": 7, "name": "Dana Cruz", "email": "dana@example.com"}, "how": "round_robin"}
    booked = {"appointment_id": 3, "status": "booked", "starts_at": "2026-12-05T15:00:00+00:00"}
    events.lead_assigned.send(sender=Contact, contact_id=contact.pk, payload=assigned)
    events.appointment_changed.send(sender=Contact, contact_id=contact.pk, payload=booked)
    assert [(d.event, d.body["data"]) for d in deliveries()] == [("lead.assigned", assigned),
                                                                 ("appointment.changed", booked)]


def test_nothing_is_sent_when_the_change_rolls_back(endpoint, committed):
    class Abandoned(Exception):
        pass

    with committed():
        with pytest.raises(Abandoned):
            with transaction.atomic():
                contact, created = contact_get_or_create(phone="+15125550108")
                turn(contact, temperature=Temperature.HOT, handoff_reason="hot lead", bot="buyer")
                raise Abandoned
    assert deliveries() == [] and not Contact.objects.filter(phone="+15125550108").exists()


def test_a_failing_listener_does_not_undo_or_break_the_change(endpoint, committed, caplog):
    """A listener that fails (here one that raises, beside the CRM sync's) is logged; the contact the texting
    prospect created stays, the caller carries on, and the other listeners still hear the event."""
    def broken_listener(sender, **kwargs):
        raise RuntimeError("this listener is broken")

    events.lead_created.connect(broken_listener)
    try:
        with committed():
            contact, created = contact_get_or_create(phone="+15125550109")
    finally:
        events.lead_created.disconnect(broken_listener)
    assert created and Contact.objects.filter(pk=contact.pk).exists()
    assert "a listener of a lead event failed" in caplog.text
    assert [d.event for d in deliveries()] == ["lead.created"]


def test_an_event_the_sync_cannot_record_is_logged_and_the_sender_carries_on(endpoint, caplog):
    """Another app's event with a payload that is not JSON (a datetime object, not its ISO text) cannot be stored:
    the sender's `send` does not fail, and the log names the event and the contact."""
    from datetime import datetime

    contact, _ = contact_get_or_create(phone="+15125550110")
    events.appointment_changed.send(sender=Contact, contact_id=contact.pk,
                                    payload={"appointment_id": 1, "status": "booked", "starts_at": datetime.now()})
    assert deliveries() == []
    assert f"contact {contact.pk}: the appointment.changed event was not recorded" in caplog.text
