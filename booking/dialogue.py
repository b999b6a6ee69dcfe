"""Booking in the conversation, as the bots' turn calls it: times offered when a lead is ready for an agent, and
the prospect's answers read (leads.reader.slot_choice) and acted on: a time picked, none of them, a time named,
and later a cancellation or a move. Each returns the reply to text (or None: nothing for booking in this text) and
records what it offered once the caller has queued that reply."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from booking import wording
from booking.models import Appointment, OfferStatus, SlotOffer
from booking.selectors import (
    booking_agent_for,
    free_starts,
    kind_for,
    offered_starts,
    open_offer,
    prospect_zone,
    spread,
    starts_fitting,
    upcoming_appointment,
)
from booking.services import (
    SlotTaken,
    agent_name,
    appointment_book,
    appointment_cancel,
    appointment_move,
    offer_record,
    offer_settle,
)
from leads.models import Contact, Message
from leads.reader.slot_choice import SlotReply, choose, read_slot_reply
from team.models import AgentProfile


@dataclass(frozen=True)
class BookingReply:
    text: str
    # Run with the queued reply (in the caller's transaction): stores the times it offered, if it offered any.
    record: Callable[[Message], object] = lambda message: None


def offer_for_handoff(*, contact: Contact, lead_type: str, language: str, name: str, about_listing: bool = False,
                      now: datetime | None = None) -> BookingReply | None:
    """The handoff's reply offering the agent's next free times, or None (no agent profile, no kind of
    appointment for this lead, already booked, no free time): the handoff is then worded as it always was.
    `about_listing`: the prospect asked about a home for sale, which the agent answers when showing it."""
    kind = kind_for(lead_type)
    if kind is None or upcoming_appointment(contact, now) is not None:
        return None
    profile = booking_agent_for(contact, lead_type)
    if profile is None:
        return None
    starts = spread(free_starts(profile, contact, now=now))
    if not starts:
        return None
    w = wording.words(language)
    thanks = w["thanks_name"].format(name=name) if name else w["thanks"]
    return _offering("offer_about_listing" if about_listing else "offer", contact, profile.user, starts, language,
                     kind=kind, thanks=thanks)


def answer(*, contact: Contact, inbound: Message, language: str, now: datetime | None = None) -> BookingReply | None:
    """The reply to a text about the contact's offered times or booked appointment; None when the text is about
    neither. Writes (an appointment booked, moved or cancelled) happen here, in the caller's transaction."""
    now = now or timezone.now()
    zone = prospect_zone(contact)
    reply = read_slot_reply(inbound.body, inbound.created_at.astimezone(zone).date())
    if not (reply.about_time or reply.decline or reply.agree or reply.cancel or reply.move):
        return None  # nothing booking could act on: no query on an ordinary turn
    taken_over = contact.bot_paused and not contact.needs_agent  # an agent has the conversation: no more offers
    offer = None if taken_over else open_offer(contact, now)
    if offer is not None:
        answered = _answer_offer(contact, offer, reply, inbound, language, now)
        if answered is not None:
            return answered
    appointment = upcoming_appointment(contact, now)
    if appointment is not None and (reply.cancel or reply.move) and not reply.off_topic:
        return _change(contact, appointment, reply, inbound, language, now)
    return None


def _answer_offer(contact: Contact, offer: SlotOffer, reply: SlotReply, inbound: Message, language: str,
                  now: datetime) -> BookingReply | None:
    zone = prospect_zone(contact)
    offered = offered_starts(offer)
    picked = choose(reply, [start.astimezone(zone) for start in offered])
    if picked is not None:
        return _take(contact, offer, offered[picked], inbound, language, now, offered_at=offer.created_at)
    profile = AgentProfile.objects.filter(user=offer.agent).first()
    if profile is None:
        return None
    free = free_starts(profile, contact, now=now, ignoring=offer.moving)
    if reply.wish.names_a_time:
        fitting = starts_fitting(free, reply.wish, zone)
        if fitting and (reply.wish.exact or reply.agree):
            return _take(contact, offer, fitting[0], inbound, language, now)
        if fitting:
            return _offering("offer_again", contact, offer.agent, spread(fitting), language, moving=offer.moving,
                             round=offer.round + 1)
        return _offer_others(contact, offer, free, offered, language, "not_free")
    if reply.decline:
        if offer.round >= wording.rule("rounds"):
            offer_settle(offer=offer, status=OfferStatus.DECLINED)
            return _left_to_agent(offer.agent, language)
        return _offer_others(contact, offer, free, offered, language, "offer_again")
    return None


def _take(contact: Contact, offer: SlotOffer, start: datetime, inbound: Message, language: str, now: datetime, *,
          offered_at: datetime | None = None) -> BookingReply:
    try:
        if offer.moving is not None:
            appointment = appointment_move(appointment=offer.moving, starts_at=start, source_message=inbound,
                                           offered_at=offered_at)
        else:
            appointment = appointment_book(contact=contact, agent=offer.agent, starts_at=start, source_message=inbound,
                                           offered_at=offered_at)
    except SlotTaken:
        profile = AgentProfile.objects.filter(user=offer.agent).first()
        free = free_starts(profile, contact, now=now, ignoring=offer.moving) if profile else []
        return _offer_others(contact, offer, free, [start], language, "not_free")
    offer_settle(offer=offer, status=OfferStatus.TAKEN)
    return _confirmation("moved" if offer.moving is not None else "booked", appointment, language)


def _change(contact: Contact, appointment: Appointment, reply: SlotReply, inbound: Message, language: str,
            now: datetime) -> BookingReply:
    """A cancellation, or a move: to the time named when it is free, else offered the agent's free times."""
    if reply.cancel and not reply.move:
        cancelled = appointment_cancel(appointment=appointment, source_message=inbound)
        SlotOffer.objects.filter(contact=contact, status=OfferStatus.OPEN).update(status=OfferStatus.CLOSED)
        return _confirmation("cancelled", cancelled, language)
    profile = AgentProfile.objects.filter(user=appointment.agent).first()
    if profile is None:
        return _left_to_agent(appointment.agent, language)
    zone = prospect_zone(contact)
    free = [start for start in free_starts(profile, contact, now=now, ignoring=appointment)
            if start != appointment.starts_at]
    fitting = starts_fitting(free, reply.wish, zone) if reply.wish.names_a_time else free
    if fitting and reply.wish.exact:
        moved = appointment_move(appointment=appointment, starts_at=fitting[0], source_message=inbound)
        return _confirmation("moved", moved, language)
    starts = spread(fitting or free)
    if not starts:
        return _left_to_agent(appointment.agent, language)
    return _offering("move_offer" if fitting else "not_free", contact, appointment.agent, starts, language,
                     moving=appointment)


def _offer_others(contact: Contact, offer: SlotOffer, free: list[datetime], not_again: list[datetime], language: str,
                  template: str) -> BookingReply:
    starts = spread([start for start in free if start not in not_again])
    if not starts:
        offer_settle(offer=offer, status=OfferStatus.DECLINED)
        return _left_to_agent(offer.agent, language)
    return _offering(template, contact, offer.agent, starts, language, moving=offer.moving, round=offer.round + 1)


def _offering(template: str, contact: Contact, agent, starts: list[datetime], language: str, *,
              kind: str | None = None, thanks: str = "", moving: Appointment | None = None,
              round: int = 1) -> BookingReply:
    zone = prospect_zone(contact)
    kind = kind or (moving.kind if moving is not None else kind_for(contact.lead_type))
    text = wording.words(language)[template].format(
        thanks=thanks, agent=agent_name(agent), kind=wording.kind_name(kind, language),
        slots=wording.slot_list(starts, zone, language), zone=wording.zone_name(starts[0], zone))
    return BookingReply(text, lambda message: offer_record(contact=contact, agent=agent, starts=starts,
                                                           message=message, moving=moving, round=round))


def _confirmation(template: str, appointment: Appointment, language: str) -> BookingReply:
    zone = prospect_zone(appointment.contact)
    text = wording.words(language)[template].format(
        kind=wording.kind_name(appointment.kind, language), agent=agent_name(appointment.agent),
        slot=wording.slot(appointment.starts_at, zone, language), zone=wording.zone_name(appointment.starts_at, zone))
    return BookingReply(text)


def _left_to_agent(agent, language: str) -> BookingReply:
    return BookingReply(wording.words(language)["left_to_agent"].format(agent=agent_name(agent)))
