"""Outbound SMS: the only place that sends.

A message row exists before anything is sent (one per reply, unique per inbound message). Sending locks the row,
refuses opted-out contacts and paused bots (and texts that are not replies without consent on file), defers to
the recipient's allowed hours (8am-9pm local; for a text that is not a reply, its state's hours and 24-hour cap),
marks the row `sending`, calls Twilio, and stores the SID. A retry after a Twilio 5xx sends once; a row already past `queued`
is never sent again.

A bot reply held back by quiet hours goes stale once the prospect has been answered again: when a newer bot reply
(the bot's or a handoff) to the same contact is queued or deferred, the older deferred ones become `superseded`
and are never sent, so the morning brings one reply, not every answer given overnight. Agents' texts and system
texts (HELP, compliance) are never superseded, and do not supersede.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from leads.models import SOLICITATIONS, Author, DeliveryStatus, Direction, Keyword, Message
from leads.quiet_hours import next_allowed_time
from leads.texting_policy import policy_for_phone
from leads.selectors import contact_has_consent
from leads.services import contact_set_opt_out

logger = logging.getLogger(__name__)

TWILIO_MAX_BODY = 1600
# The states' caps count texts in any 24 hours (leads/data/texting_policy.toml).
CAP_WINDOW = timedelta(hours=24)
OPTED_OUT_ERROR = 21610  # "Attempt to send to unsubscribed recipient"
# Status order for callbacks that arrive out of order: a message only moves to a later state.
STATUS_RANK = {
    DeliveryStatus.QUEUED: 0, DeliveryStatus.DEFERRED: 0, DeliveryStatus.ACCEPTED: 1, DeliveryStatus.SCHEDULED: 1,
    DeliveryStatus.SENDING: 2, DeliveryStatus.SENT: 3, DeliveryStatus.DELIVERED: 4, DeliveryStatus.UNDELIVERED: 4,
    DeliveryStatus.FAILED: 4, DeliveryStatus.CANCELED: 4, DeliveryStatus.SUPPRESSED: 4, DeliveryStatus.SUPERSEDED: 4,
    DeliveryStatus.READ: 5,
}
# Bot replies: a newer one makes an older deferred one stale.
SUPERSEDABLE_AUTHORS = (Author.BOT, Author.HANDOFF)
# A newer bot reply in one of these states has answered the prospect, or will: older deferred replies are stale.
# (Not once it is suppressed, failed or superseded itself.)
ANSWERING_STATUSES = (DeliveryStatus.QUEUED, DeliveryStatus.DEFERRED, DeliveryStatus.ACCEPTED, DeliveryStatus.SCHEDULED,
                      DeliveryStatus.SENDING, DeliveryStatus.SENT, DeliveryStatus.DELIVERED, DeliveryStatus.READ)


class TransientSendError(Exception):
    """Twilio or the network failed in a way worth retrying (5xx, 429, connection); the row is `queued` again."""


# The outcome of a message that was deleted after its task was queued (not a DeliveryStatus: there is no row).
MISSING = "missing"


@dataclass(frozen=True)
class SendOutcome:
    status: str
    send_after: datetime | None = None


def send(message_id: int, *, now: datetime | None = None) -> SendOutcome:
    with transaction.atomic():
        message = Message.objects.select_for_update().select_related("contact").filter(pk=message_id).first()
        if message is None:
            # Deleted since it was queued (its contact erased by an agent): nothing to send, and nothing to retry.
            logger.warning("outbound message %s no longer exists; not sent", message_id)
            return SendOutcome(MISSING)
        contact = message.contact
        if message.twilio_sid or message.status not in (DeliveryStatus.QUEUED, DeliveryStatus.DEFERRED):
            return SendOutcome(message.status)
        answered = _keyword_answered(message)
        refused = refusal(message, contact, answered=answered)
        if refused:
            message.status, message.error_code = DeliveryStatus.SUPPRESSED, refused
            message.save(update_fields=["status", "error_code"])
            return SendOutcome(message.status)
        if len(message.body) > TWILIO_MAX_BODY:
            message.status, message.error_code = DeliveryStatus.FAILED, "too_long"
            message.save(update_fields=["status", "error_code"])
            return SendOutcome(message.status)
        # Our answer to a STOP or HELP the prospect has just sent goes out at once, quiet hours or not: the FCC's
        # revocation rule (47 CFR 64.1200(a)(12)) allows one confirmation of an opt-out only within five minutes,
        # and a prospect who asked for HELP at 11pm is awake and waiting; neither is a solicitation.
        later = None if answered in (Keyword.OPT_OUT, Keyword.HELP) else next_send_time(message, contact, now)
        if later is not None:
            if _has_newer_reply(message):  # answered again since this was queued: stale by the morning
                message.status = DeliveryStatus.SUPERSEDED
                message.save(update_fields=["status"])
                return SendOutcome(message.status)
            message.status, message.send_after = DeliveryStatus.DEFERRED, later
            message.save(update_fields=["status", "send_after"])
            supersede_older_replies(message)
            return SendOutcome(message.status, later)
        message.status = DeliveryStatus.SENDING
        message.save(update_fields=["status"])

    try:
        sid, status = _deliver(to=contact.phone, body=message.body)
    except TransientSendError:
        Message.objects.filter(pk=message.pk, status=DeliveryStatus.SENDING).update(status=DeliveryStatus.QUEUED)
        raise
    except PermanentSendError as exc:
        Message.objects.filter(pk=message.pk).update(status=DeliveryStatus.FAILED, error_code=str(exc.code))
        if exc.code == OPTED_OUT_ERROR:
            contact_set_opt_out(contact=contact, opted_out=True, because="Twilio 21610: the number unsubscribed")
        return SendOutcome(DeliveryStatus.FAILED)
    Message.objects.filter(pk=message.pk).update(twilio_sid=sid, status=status, sent_at=now or timezone.now())
    return SendOutcome(status)


def next_send_time(message: Message, contact, now: datetime | None = None) -> datetime | None:
    """None if `message` may go out now, else when. A reply keeps the quiet hours (SMS_SEND_FROM_HOUR to
    SMS_SEND_UNTIL_HOUR); a text that is not a reply keeps its state's hours and, where the state caps them, waits
    until the oldest of the last 24 hours' such texts is 24 hours old (leads.texting_policy)."""
    if message.purpose not in SOLICITATIONS:
        return next_allowed_time(contact, now)
    now = now or timezone.now()
    policy = policy_for_phone(contact.phone)
    earliest = now
    if policy.max_per_24_hours:
        recent = list(Message.objects.filter(
            contact_id=contact.pk, direction=Direction.OUTBOUND, purpose__in=SOLICITATIONS,
            sent_at__gt=now - CAP_WINDOW, sent_at__lte=now).exclude(pk=message.pk)
            .order_by("sent_at").values_list("sent_at", flat=True))
        if len(recent) >= policy.max_per_24_hours:
            earliest = recent[len(recent) - policy.max_per_24_hours] + CAP_WINDOW
    later = next_allowed_time(contact, earliest, hours=policy.hours)
    if later is None:
        return None if earliest == now else earliest
    return later


class Refusal:
    """Why a text is suppressed (stored as the row's error code, so the transcript can say why later)."""

    OPTED_OUT = "opted_out"     # the contact revoked consent
    BOT_PAUSED = "bot_paused"   # a bot text while an agent has the conversation (or the lead waits for one)
    NO_CONSENT = "no_consent"   # a text that is not a reply (first text, nudge) with no consent on file


def refusal(message: Message, contact, *, answered: str | None = None) -> str:
    """A Refusal value if the outbound service would suppress `message` to `contact` as things stand, "" if it
    would send it (now or after quiet hours). The one text an opted-out contact still gets is the confirmation of
    their opt-out. A text that is not a reply (a first text, a nudge) needs a standing consent on file.
    `answered`: the keyword the text answers, when the caller has read it already."""
    if contact.opted_out:
        answered = _keyword_answered(message) if answered is None else answered
        if answered != Keyword.OPT_OUT:
            return Refusal.OPTED_OUT
    if contact.bot_paused and message.author == Author.BOT:
        return Refusal.BOT_PAUSED
    if message.purpose in SOLICITATIONS and not contact_has_consent(contact):
        return Refusal.NO_CONSENT
    return ""


def _keyword_answered(message: Message) -> str:
    """The keyword of the inbound text a system text answers (Keyword.NONE for every other text)."""
    if message.author != Author.SYSTEM or message.reply_to_id is None:
        return Keyword.NONE
    return Message.objects.filter(pk=message.reply_to_id).values_list("keyword", flat=True).first() or Keyword.NONE


def supersede_older_replies(message: Message) -> int:
    """Mark the contact's older deferred bot replies superseded by `message`, a newer bot reply being queued or
    deferred; returns how many. A row a send task has already taken (`sending` or later) is left alone: the update
    only matches `deferred` rows, and the send task re-checks the status under the row lock, so a superseded row
    is never sent however late its task runs."""
    if message.author not in SUPERSEDABLE_AUTHORS:
        return 0
    return Message.objects.filter(
        contact_id=message.contact_id, direction=Direction.OUTBOUND, author__in=SUPERSEDABLE_AUTHORS,
        status=DeliveryStatus.DEFERRED, pk__lt=message.pk,
    ).update(status=DeliveryStatus.SUPERSEDED)


def _has_newer_reply(message: Message) -> bool:
    if message.author not in SUPERSEDABLE_AUTHORS:
        return False
    return Message.objects.filter(
        contact_id=message.contact_id, direction=Direction.OUTBOUND, author__in=SUPERSEDABLE_AUTHORS,
        status__in=ANSWERING_STATUSES, pk__gt=message.pk,
    ).exists()


def apply_status_callback(*, message_sid: str, status: str, error_code: str = "") -> bool:
    """Move a message forward on a delivery callback; late or repeated callbacks change nothing."""
    if status not in STATUS_RANK:
        return False
    with transaction.atomic():
        message = Message.objects.select_for_update().select_related("contact").filter(twilio_sid=message_sid).first()
        if message is None:
            return False
        if STATUS_RANK[status] <= STATUS_RANK.get(message.status, 0):
            return False
        message.status = status
        message.error_code = error_code or message.error_code
        message.save(update_fields=["status", "error_code"])
        if error_code == str(OPTED_OUT_ERROR):
            contact_set_opt_out(contact=message.contact, opted_out=True,
                                because="Twilio 21610: the number unsubscribed")
    return True


def send_agent_alert_sms(body: str, *, to: str = "") -> None:
    """An SMS to an agent (not a prospect: no suppression list or quiet hours): to `to`, or when none is given to
    the on-call agent of settings.AGENT_ALERT_PHONE."""
    phone = to or settings.AGENT_ALERT_PHONE
    if phone:
        _deliver(to=phone, body=body[:TWILIO_MAX_BODY], status_callback=False)


class PermanentSendError(Exception):
    def __init__(self, code: int, detail: str):
        super().__init__(f"Twilio error {code}: {detail}")
        self.code = code


def _deliver(*, to: str, body: str, status_callback: bool = True) -> tuple[str, str]:
    if settings.SMS_BACKEND == "console":
        sid = f"SMconsole{uuid.uuid4().hex[:23]}"
        logger.info("SMS (console backend, not sent) to %s: %s", to, body)
        return sid, DeliveryStatus.SENT
    from twilio.base.exceptions import TwilioRestException

    from sms.twilio_client import twilio_client

    options = {"to": to, "body": body}
    if settings.TWILIO_MESSAGING_SERVICE_SID:
        options["messaging_service_sid"] = settings.TWILIO_MESSAGING_SERVICE_SID
    else:
        options["from_"] = settings.TWILIO_FROM_NUMBER
    if status_callback:
        options["status_callback"] = f"{settings.PUBLIC_BASE_URL}/sms/status"
    try:
        created = twilio_client().messages.create(**options)
    except TwilioRestException as exc:
        if exc.status >= 500 or exc.status == 429:
            raise TransientSendError(f"Twilio {exc.status}: {exc.msg}") from exc
        raise PermanentSendError(exc.code or exc.status, exc.msg) from exc
    except OSError as exc:  # connection refused/reset, DNS: the request did not complete
        raise TransientSendError(str(exc)) from exc
    return created.sid, created.status or DeliveryStatus.QUEUED
