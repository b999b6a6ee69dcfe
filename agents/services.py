"""Writes the agents' screens make: an agent's text, and the Agents group's permissions."""

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from leads.models import Author, Contact, Message
from leads.services import contact_take_over
from sms.outbound import TWILIO_MAX_BODY
from sms.services import outbound_queue

AGENTS_GROUP = "Agents"
# What an agent may do in the admin: work leads (read everything, change contacts and conversations), read the
# transcript and the cost ledger, see and cancel appointments, and pause or resume their own new leads (the admin
# shows an agent only their own profile, with only that switch to change). No delete, no users, groups or cache
# entries. Messages are a compliance record, so they are read-only: agents text through the outbound service instead.
AGENT_PERMISSIONS = (
    ("leads", "view_contact"), ("leads", "change_contact"),
    ("leads", "view_conversation"), ("leads", "change_conversation"),
    ("leads", "view_message"),
    ("bots", "view_llmcall"),
    ("team", "view_agentprofile"), ("team", "change_agentprofile"),
    # Appointments: read them, and cancel one (the admin's fields are read-only; a cancellation goes through the
    # booking service, which tells the prospect's calendar and the agent's).
    ("booking", "view_appointment"), ("booking", "change_appointment"),
)


def agent_send_text(*, contact: Contact, body: str, agent=None) -> Message:
    """An agent's SMS to the contact, through the same outbound service as the bot's texts (an opted-out
    contact's text is suppressed, one outside the contact's allowed hours is deferred). The agent texting takes
    the conversation over (for `agent`, a user), so the bot does not answer the prospect's reply on top of the
    agent."""
    body = body.strip()
    if not body:
        raise ValidationError("The message is empty.")
    if len(body) > TWILIO_MAX_BODY:
        raise ValidationError(f"The message is {len(body)} characters long; an SMS may have {TWILIO_MAX_BODY} at most.")
    with transaction.atomic():
        contact_take_over(contact=contact, agent=agent)
        return outbound_queue(contact=contact, body=body, author=Author.AGENT)


def agents_group_sync() -> Group | None:
    """Create the Agents group with exactly AGENT_PERMISSIONS. Runs after every migrate (and test-database
    flush); returns None while some of those permissions are not created yet (Django creates them app by app)."""
    wanted = Q()
    for app_label, codename in AGENT_PERMISSIONS:
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    permissions = list(Permission.objects.filter(wanted))
    if len(permissions) < len(AGENT_PERMISSIONS):
        return None
    group, _ = Group.objects.get_or_create(name=AGENTS_GROUP)
    group.permissions.set(permissions)
    return group
