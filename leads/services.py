"""Writes to contacts, conversations and messages."""

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from leads import events
from leads.events import announce_on_commit, contact_cache_retired
from leads.facts import clean_facts
from leads.followups import due_after
from leads.models import (
    Consent,
    ConsentMethod,
    Contact,
    Conversation,
    DeliveryStatus,
    Direction,
    FollowUp,
    FollowUpStatus,
    LeadSubmission,
    Message,
    ScoreEvent,
    ScoreReason,
    Temperature,
)
from leads.phones import normalize_phone
from leads.scoring import score



def contact_get_or_create(*, phone: str, name: str = "", via: str = "text") -> tuple[Contact, bool]:
    """The one contact for this number in any format; safe when two requests race on a new number. A new one is
    announced (lead_created) with how it came: "text" or "web_lead"."""
    e164 = normalize_phone(phone)
    try:
        with transaction.atomic():
            contact, created = Contact.objects.get_or_create(phone=e164, defaults={"name": name})
    except IntegrityError:
        return Contact.objects.get(phone=e164), False
    if created:
        announce_on_commit(events.lead_created, contact.pk, {"via": via})
    return contact, created


def contact_merge_web_lead(*, phone: str, name: str, email: str, source: str) -> tuple[Contact, bool]:
    """The contact of a web lead: the one contact of its number (a lead posted twice, or a prospect who texted
    before, is merged into it); what it did not know yet (name, e-mail, source) is filled in, nothing replaced."""
    contact, created = contact_get_or_create(phone=phone, name=name, via="web_lead")
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    changed = [field for field, value in (("name", name), ("email", email), ("source", source))
               if value and not getattr(contact, field)]
    for field in changed:
        setattr(contact, field, dict(name=name, email=email, source=source)[field])
    if changed:
        contact.save(update_fields=[*changed, "updated_at"])
    return contact, created


def lead_submission_record(*, contact: Contact, source: str, event_type: str, message: str, payload: dict,
                           merged: bool) -> LeadSubmission:
    return LeadSubmission.objects.create(contact=contact, source=source[:120], event_type=event_type[:60],
                                         message=message, payload=payload, merged=merged)


def conversation_current(*, contact: Contact) -> Conversation:
    conversation = contact.conversations.order_by("-last_activity_at").first()
    return conversation or Conversation.objects.create(contact=contact)


def message_record_inbound(*, contact: Contact, body: str, twilio_sid: str | None) -> tuple[Message, bool]:
    """Store an inbound text once per Twilio MessageSid; a retry returns the stored row and False."""
    if twilio_sid:
        existing = Message.objects.filter(twilio_sid=twilio_sid).first()
        if existing:
            return existing, False
    conversation = conversation_current(contact=contact)
    try:
        with transaction.atomic():
            message = Message.objects.create(
                conversation=conversation, contact=contact, direction=Direction.INBOUND, body=body,
                twilio_sid=twilio_sid or None, status=DeliveryStatus.RECEIVED,
            )
    except IntegrityError:
        return Message.objects.get(twilio_sid=twilio_sid), False
    message_touch_contact(message=message)
    return message, True


def message_touch_contact(*, message: Message) -> None:
    """Record the message as the conversation's and contact's latest activity (the in-process history of
    recent messages is trusted only while its newest message matches `Contact.last_message_at`)."""
    # Contact first, then conversation: the same order a turn locks them in (contact_apply_turn), so a webhook
    # and a turn for one contact never deadlock.
    Contact.objects.filter(pk=message.contact_id).update(last_message_at=message.created_at)
    Conversation.objects.filter(pk=message.conversation_id).update(last_activity_at=message.created_at)


def message_hold(*, message: Message, limit: str) -> None:
    """The turn set nothing from this text (it looks like prompt injection): the reason is kept on the message, so
    the agent reading the conversation sees why the bot did not take in what it says."""
    Message.objects.filter(pk=message.pk).update(held_as=limit[:40])
    message.held_as = limit[:40]


def message_mark_handled(*, message: Message, keyword: str = "", at: datetime | None = None) -> None:
    """An inbound message is handled once: answered, or deliberately not (a keyword, opted out, paused). A second
    call changes nothing, so a retried turn never moves the moment it was handled."""
    Message.objects.filter(pk=message.pk, handled_at__isnull=True).update(handled_at=at or timezone.now())
    if keyword:
        Message.objects.filter(pk=message.pk).update(keyword=keyword)
        message.keyword = keyword


def contact_retire_cache(*, contact_id: int) -> int:
    """Bump the contact's cache version, which is part of every cache key and filter of the contact's results, so
    no tier serves them again; returns the new version. Listeners (the cache's owner) free the old entries."""
    with transaction.atomic():
        Contact.objects.filter(pk=contact_id).update(cache_version=F("cache_version") + 1)
        version = Contact.objects.filter(pk=contact_id).values_list("cache_version", flat=True).get()
    contact_cache_retired.send(sender=Contact, contact_id=contact_id, version=version)
    return version


def contact_apply_turn(*, contact: Contact, name: str, lead_type: str, facts: dict, frs: int, pcs: int,
                       temperature: str, bot: str, asked_slot: str, handoff_reason: str, language: str = "",
                       closed_reason: str | None = None, passed_slots: list[str] | None = None,
                       asked_again: bool = False) -> Contact:
    """Store what a turn learned. Saved through the model so a temperature change fires the cache
    invalidation signal. A handoff marks the contact for an agent and pauses the bot. `closed_reason`: why the
    bot stops qualifying ("" opens the conversation again, None leaves it as it is)."""
    now = timezone.now()
    scores_before = _scores_of(contact)
    contact.name = contact.name or name
    contact.lead_type = lead_type
    contact.facts = clean_facts(facts)
    contact.frs_score, contact.pcs_score = frs, pcs
    contact.temperature = temperature
    contact.language = language or contact.language
    # Only the fields a turn owns: an agent who takes over or an opt-out that lands while the turn runs must
    # not be overwritten by the flags this turn loaded when it started.
    fields = ["name", "lead_type", "facts", "frs_score", "pcs_score", "temperature", "language", "updated_at"]
    if handoff_reason and not contact.needs_agent:
        contact.needs_agent, contact.handoff_reason, contact.handoff_at = True, handoff_reason[:120], now
        contact.bot_paused, contact.bot_paused_at = True, now
        fields += ["needs_agent", "handoff_reason", "handoff_at", "bot_paused", "bot_paused_at"]
    contact.save(update_fields=fields)
    if "needs_agent" in fields:
        follow_up_stop(contact=contact, reason=f"handed to an agent: {contact.handoff_reason}")
        announce_on_commit(events.lead_handed_off, contact.pk, {"reason": contact.handoff_reason})
    _record_score_change(contact, scores_before, ScoreReason.TURN)
    changes = {"active_bot": bot, "asked_slot": asked_slot, "asked_again": asked_again}
    if asked_slot == "name":
        changes["name_asked"] = True
    if closed_reason is not None:
        changes["closed_reason"] = closed_reason
    if passed_slots is not None:
        changes["passed_slots"] = passed_slots
    # The current conversation's stage is read with its id, so a change of stage can be announced; a contact with
    # none yet gets one first.
    current = contact.conversations.order_by("-last_activity_at").values("pk", "active_bot", "closed_reason").first()
    if current is None:
        created = conversation_current(contact=contact)
        current = {"pk": created.pk, "active_bot": created.active_bot, "closed_reason": created.closed_reason}
    Conversation.objects.filter(pk=current["pk"]).update(**changes)
    stage_before = _stage(current["active_bot"], current["closed_reason"])
    stage_after = _stage(bot, current["closed_reason"] if closed_reason is None else closed_reason)
    if stage_after != stage_before:
        announce_on_commit(events.lead_stage_changed, contact.pk,
                  {"from": stage_before, "to": stage_after, "closed_reason": changes.get("closed_reason", "")})
    return contact


CLOSED_STAGE = "closed"


def _stage(bot: str, closed_reason: str) -> str:
    """Where the lead is: the bot qualifying it (lead, buyer, seller), or closed."""
    return CLOSED_STAGE if closed_reason else bot


def contact_set_opt_out(*, contact: Contact, opted_out: bool, because: str = "opted out") -> Contact:
    """Suppression list: an opted-out contact gets no texts until they opt back in, and is no lead to chase (Cold);
    opting back in scores them from their facts again. An opt-out revokes every consent on file (`because` says
    what did it); opting back in records no consent by itself (the caller records how it was given)."""
    if opted_out:
        consent_revoke(contact=contact, because=because)
        follow_up_stop(contact=contact, reason="opted out")
    if contact.opted_out != opted_out:
        before = _scores_of(contact)
        contact.opted_out = opted_out
        contact.opted_out_at = timezone.now() if opted_out else None
        contact.temperature = Temperature.COLD if opted_out else score(contact.lead_type, contact.facts).temperature
        contact.save(update_fields=["opted_out", "opted_out_at", "temperature", "updated_at"])
        _record_score_change(contact, before, ScoreReason.RESCORE)
    return contact


@dataclass(frozen=True)
class Rescored:
    contact: Contact
    frs_before: int
    pcs_before: int
    temperature_before: str

    @property
    def changed(self) -> bool:
        return (self.frs_before, self.pcs_before, self.temperature_before) != _scores_of(self.contact)

    def summary(self) -> str:
        """E.g. 'FRS 91, PCS 85, Hot (was FRS 40, PCS 60, Warm)' or 'unchanged: FRS 91, PCS 85, Hot'."""
        now = _describe_scores(*_scores_of(self.contact))
        if not self.changed:
            return f"unchanged: {now}"
        return f"{now} (was {_describe_scores(self.frs_before, self.pcs_before, self.temperature_before)})"


def _describe_scores(frs: int, pcs: int, temperature: str) -> str:
    return f"FRS {frs}, PCS {pcs}, {Temperature(temperature).label}"


def contact_rescore(*, contact: Contact) -> Rescored:
    """Recompute FRS, PCS and temperature from the contact's stored facts (the same code a turn uses). A
    temperature change goes through the model's save, so it retires the contact's cache like a turn would.
    A request for an appointment counts only in the turn that asked (it is not a stored fact), so it is not
    part of a re-score."""
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        before = _scores_of(contact)
        scores = score(contact.lead_type, contact.facts)
        contact.frs_score, contact.pcs_score = scores.frs, scores.pcs
        contact.temperature = Temperature.COLD if contact.opted_out else scores.temperature
        result = Rescored(contact, *before)
        if result.changed:
            contact.save(update_fields=["frs_score", "pcs_score", "temperature", "updated_at"])
            _record_score_change(contact, before, ScoreReason.RESCORE)
    return result


def _scores_of(contact: Contact) -> tuple[int, int, str]:
    return contact.frs_score, contact.pcs_score, contact.temperature


def _record_score_change(contact: Contact, before: tuple[int, int, str], reason: str) -> None:
    if _scores_of(contact) != before:
        ScoreEvent.objects.create(contact=contact, frs=contact.frs_score, pcs=contact.pcs_score,
                                  temperature=contact.temperature, reason=reason)
    if contact.temperature != before[2]:
        announce_on_commit(events.lead_temperature_changed, contact.pk,
                  {"from": before[2], "to": contact.temperature, "reason": reason})


def contact_take_over(*, contact: Contact, agent=None) -> Contact:
    """An agent has the conversation: the bot stays silent, and the lead is no longer waiting for an agent. `agent`
    (a user) is who has it now; without one (a bulk action's caller may not say) whoever had it keeps it."""
    now = timezone.now()
    contact.bot_paused_at = contact.bot_paused_at if contact.bot_paused and not contact.needs_agent else now
    contact.bot_paused, contact.needs_agent = True, False
    contact.taken_over_by = agent or contact.taken_over_by
    contact.save(update_fields=["bot_paused", "bot_paused_at", "needs_agent", "taken_over_by", "updated_at"])
    follow_up_stop(contact=contact, reason="taken over by an agent")
    return contact


def contact_hand_back(*, contact: Contact) -> Contact:
    """The bot answers again from the next inbound text. The handoff is settled, so a later one (the lead
    turning Hot again, asking for a person) pauses the bot and alerts agents anew."""
    contact.bot_paused, contact.bot_paused_at, contact.taken_over_by = False, None, None
    contact.needs_agent, contact.handoff_reason = False, ""
    contact.save(update_fields=["bot_paused", "bot_paused_at", "taken_over_by", "needs_agent", "handoff_reason",
                                "updated_at"])
    return contact


def consent_record(*, contact: Contact, method: str, wording: str = "", source: str = "",
                   obtained_at: datetime | None = None, note: str = "", recorded_by=None) -> Consent:
    """Keep how the contact agreed to be texted. The same agreement recorded again (a lead posted twice) is the
    standing record, not a second one."""
    obtained_at = obtained_at or timezone.now()
    standing = Consent.objects.filter(contact=contact, method=method, wording=wording, source=source,
                                      obtained_at=obtained_at, revoked_at__isnull=True).first()
    if standing is not None:
        return standing
    return Consent.objects.create(contact=contact, method=method, wording=wording, source=source,
                                  obtained_at=obtained_at, note=note, recorded_by=recorded_by)


def consent_record_texted_first(*, contact: Contact, message: Message) -> Consent | None:
    """A prospect who texts us asks to be answered: their text is the consent on file when there is none (an
    opted-out contact's text consents to nothing: only START opts back in)."""
    if contact.opted_out or Consent.objects.filter(contact=contact, revoked_at__isnull=True).exists():
        return None
    return consent_record(contact=contact, method=ConsentMethod.TEXTED_FIRST, wording=message.body[:1000],
                          source="SMS", obtained_at=message.created_at)


def consent_revoke(*, contact: Contact, because: str) -> int:
    """End every standing consent of the contact; returns how many."""
    return Consent.objects.filter(contact=contact, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_because=because[:200])


# --- follow-ups (leads.followups: the schedule) ------------------------------------------------------------------


def follow_up_start(*, contact: Contact, anchor_at: datetime) -> FollowUp | None:
    """Our question just went out (queued): the schedule counts from it, its first nudge due after the first
    delay. Each question restarts the clock. A stopped plan stays stopped; a paused one keeps its pause."""
    with transaction.atomic():
        plan, created = FollowUp.objects.select_for_update().get_or_create(
            contact=contact, defaults={"anchor_at": anchor_at, "due_at": due_after(anchor_at, 0)})
        if created or plan.status == FollowUpStatus.STOPPED:
            return plan
        plan.anchor_at, plan.step, plan.due_at = anchor_at, 0, due_after(anchor_at, 0)
        plan.save(update_fields=["anchor_at", "step", "due_at", "updated_at"])
    return plan


def follow_up_answered(*, contact: Contact) -> int:
    """The prospect replied: nothing is due until our next question (which restarts the clock)."""
    return FollowUp.objects.filter(contact=contact).exclude(status=FollowUpStatus.STOPPED).update(
        due_at=None, step=0, updated_at=timezone.now())


def follow_up_stop(*, contact: Contact, reason: str) -> int:
    """No more follow-ups, for good (opt-out, not interested, a wrong number, a handoff, an agent)."""
    return FollowUp.objects.filter(contact=contact).exclude(status=FollowUpStatus.STOPPED).update(
        status=FollowUpStatus.STOPPED, stop_reason=reason[:120], stopped_at=timezone.now(), due_at=None,
        updated_at=timezone.now())


def follow_up_pause(*, contact: Contact, paused: bool) -> int:
    """An agent holds the follow-ups (nothing is sent while paused) or lets them go on where they were."""
    before, after = (FollowUpStatus.ACTIVE, FollowUpStatus.PAUSED) if paused else (FollowUpStatus.PAUSED, FollowUpStatus.ACTIVE)
    return FollowUp.objects.filter(contact=contact, status=before).update(status=after, updated_at=timezone.now())
