"""Web leads: a lead source or CRM posts a person who asked about a home (POST /leads/intake, signed with
LEAD_INTAKE_SECRET). The body has the shape Follow Up Boss's events have (`source`, `type`, `message`, `person`
with `firstName`, `lastName`, `phones`, `emails`) plus `consent`: the words the person agreed to, when, and where.

The lead's type and what its message states seed the contact (a Seller Inquiry starts the Seller bot, "3br under
450k in Austin" is a budget, bedrooms and an area). A lead with consent gets its first text (the opening, the
bot's first question, how to stop) queued in the request's own transaction, so it goes out the moment it commits,
or at the next allowed time in the recipient's hours; a lead without consent is stored and left to an agent (the
outbound service would refuse to text it anyway). The same lead posted twice is one contact, texted once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from pydantic import ValidationError as SchemaError

from bots import stages
from leads.data_files import read_toml
from leads.facts import clean_facts, merge_facts
from leads.intents import Intent
from leads.models import Author, ConsentMethod, Contact, Direction, LeadType, Message, MessagePurpose
from leads.phones import FALLBACK_TIME_ZONE, normalize_phone
from leads.reader import read
from leads.scoring import score
from leads.selectors import contact_has_consent
from leads.services import (
    consent_record,
    contact_apply_turn,
    contact_merge_web_lead,
    conversation_current,
    follow_up_start,
    lead_submission_record,
)
from sms.segments import fit_segments, to_gsm7
from sms.services import outbound_queue

WEB_LEADS = Path(__file__).resolve().parent / "data" / "web_leads.toml"
SIGNATURE_PREFIX = "sha256="
# A lead's first text is at most two segments, like the bot's replies.
FIRST_TEXT_SEGMENTS = 2
NO_CONSENT_REASON = "web lead without consent to text: call or e-mail them first"


class MalformedLead(ValueError):
    """The body is not a lead this endpoint can take; the message says what is wrong, for the sender."""


class _Phone(BaseModel):
    value: str = Field(min_length=1, max_length=40)


class _Email(BaseModel):
    value: str = Field(min_length=3, max_length=254)


class _Person(BaseModel):
    firstName: str = Field(default="", max_length=60)
    lastName: str = Field(default="", max_length=60)
    phones: list[_Phone] = Field(min_length=1, max_length=10)
    emails: list[_Email] = Field(default_factory=list, max_length=10)


class _Consent(BaseModel):
    text: str = Field(min_length=1, max_length=2000, description="The words the person agreed to")
    at: AwareDatetime
    url: str = Field(default="", max_length=500)
    form: str = Field(default="", max_length=200)


class WebLead(BaseModel):
    # Lead sources send more than this (tags, property, campaign): kept in the stored payload, ignored here.
    model_config = ConfigDict(extra="ignore")

    source: str = Field(min_length=1, max_length=120)
    type: str = Field(default="Registration", max_length=60)
    message: str = Field(default="", max_length=5000)
    person: _Person
    consent: _Consent | None = None


@dataclass(frozen=True)
class Intake:
    contact: Contact
    created: bool             # False: merged into the contact this number already had
    first_text: Message | None  # queued for sending, or None (no consent, already texted, opted out)
    why_not_texted: str = ""


def signature_valid(body: bytes, header: str) -> bool:
    """X-Lead-Signature is 'sha256=' and the hex HMAC-SHA256 of the raw body under LEAD_INTAKE_SECRET; without a
    secret configured nothing is valid."""
    secret = settings.LEAD_INTAKE_SECRET
    if not secret or not header.startswith(SIGNATURE_PREFIX):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header[len(SIGNATURE_PREFIX):].strip().lower())


def parse_lead(body: bytes) -> tuple[WebLead, dict, str]:
    """The lead, the body as JSON, and its phone in E.164; MalformedLead says what is wrong."""
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedLead(f"the body is not JSON: {exc}") from exc
    if not isinstance(payload, dict):
        raise MalformedLead("the body must be a JSON object")
    try:
        lead = WebLead.model_validate(payload)
    except SchemaError as exc:
        problems = "; ".join(f"{'.'.join(map(str, error['loc'])) or 'body'}: {error['msg']}" for error in exc.errors())
        raise MalformedLead(problems) from exc
    try:
        phone = normalize_phone(lead.person.phones[0].value)
    except ValidationError as exc:
        raise MalformedLead(f"person.phones.0.value: {exc.messages[0]}") from exc
    return lead, payload, phone


def lead_type_for(event_type: str) -> str:
    return _web_leads()["types"].get(event_type.strip().casefold(), "") or LeadType.UNKNOWN


def receive_web_lead(body: bytes) -> Intake:
    lead, payload, phone = parse_lead(body)
    name = " ".join(part for part in (lead.person.firstName.strip(), lead.person.lastName.strip()) if part)
    with transaction.atomic():
        contact, created = contact_merge_web_lead(phone=phone, name=name, email=_email(lead), source=lead.source)
        lead_submission_record(contact=contact, source=lead.source, event_type=lead.type, message=lead.message,
                               payload=payload, merged=not created)
        if lead.consent is not None:
            consent_record(contact=contact, method=ConsentMethod.WEB_FORM, wording=lead.consent.text,
                           source=lead.consent.url or lead.consent.form or lead.source,
                           obtained_at=lead.consent.at)
        already_texted = Message.objects.filter(contact=contact, direction=Direction.OUTBOUND).exists()
        step = _seed(contact, lead, consented=contact_has_consent(contact), already_texted=already_texted)
        if contact.needs_agent:
            _alert_agents_after_commit(contact.pk)
        if contact.opted_out:
            return Intake(contact, created, None, "the contact has opted out")
        if already_texted:
            return Intake(contact, created, None, "already texted: the conversation goes on")
        if not contact_has_consent(contact):
            return Intake(contact, created, None, "no consent to text on file: flagged for an agent")
        # A lead its message makes hot is handed to an agent at once: its first text says so, as a handoff.
        author = Author.HANDOFF if step.action == stages.Action.HANDOFF else Author.BOT
        first = outbound_queue(contact=contact, body=first_text(contact, lead, step), author=author,
                               purpose=MessagePurpose.FIRST_TEXT)
        if step.action == stages.Action.ASK:
            follow_up_start(contact=contact, anchor_at=first.created_at)
    return Intake(contact, created, first)


def _seed(contact: Contact, lead: WebLead, *, consented: bool, already_texted: bool) -> stages.Step:
    """What the lead's type and message say, stored as a turn stores it; the step is what the first text asks."""
    lead_type = contact.lead_type if contact.lead_type != LeadType.UNKNOWN else lead_type_for(lead.type)
    today = timezone.now().astimezone(ZoneInfo(contact.time_zone or FALLBACK_TIME_ZONE)).date()
    reading = read(lead.message, lead_type=lead_type, today=today)
    if reading.injection:  # a steering attempt in a form's message sets nothing
        stated = {}
    else:
        stated = clean_facts(reading.facts)
        lead_type = lead_type if lead_type != LeadType.UNKNOWN else (reading.lead_type or LeadType.UNKNOWN)
    facts = merge_facts(contact.facts, stated)
    scores = score(lead_type, facts)
    conversation = conversation_current(contact=contact)
    step = stages.next_step(lead_type=lead_type, name=contact.name, name_asked=conversation.name_asked, facts=facts,
                            intent=Intent.GREETING, temperature=scores.temperature,
                            closed=bool(conversation.closed_reason), language=contact.language)
    handoff = step.handoff_reason if step.action == stages.Action.HANDOFF else ""
    if not consented and not contact.opted_out:
        handoff = NO_CONSENT_REASON
    contact_apply_turn(contact=contact, name=contact.name, lead_type=lead_type, facts=facts, frs=scores.frs,
                       pcs=scores.pcs, temperature=scores.temperature,
                       bot=step.bot, asked_slot=conversation.asked_slot if already_texted else step.next_slot,
                       handoff_reason=handoff, language=contact.language)
    return step


def first_text(contact: Contact, lead: WebLead, step: stages.Step) -> str:
    words = _web_leads()["en"]
    first_name = lead.person.firstName.strip() or contact.name.split(" ")[0]
    opening = (words["opening_named"] if first_name else words["opening"]).format(name=first_name,
                                                                                  source=lead.source.strip())
    replies = stages.wording(contact.language)["replies"]
    if step.action == stages.Action.ASK:
        middle = step.next_question
    elif step.action == stages.Action.CLOSE:  # a renter: told the team buys and sells, asked nothing
        middle = replies[step.close_reason.replace(" ", "_")]
    else:  # a lead whose message makes it hot (or fully known) is handed to an agent at once
        middle = replies["handoff"]
    return fit_segments(to_gsm7(f"{opening} {middle} {words['stop_notice']}"), FIRST_TEXT_SEGMENTS)


def _alert_agents_after_commit(contact_id: int) -> None:
    # The alert e-mails and texts agents: on a worker, never on the lead source's request.
    from bots.tasks import alert_agents_of_contact

    transaction.on_commit(lambda: alert_agents_of_contact.delay(contact_id))


def _email(lead: WebLead) -> str:
    for email in lead.person.emails:
        if "@" in email.value:
            return email.value.strip()
    return ""


def _web_leads() -> dict:
    return read_toml(WEB_LEADS)
