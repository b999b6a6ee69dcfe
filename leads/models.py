from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from pgvector.django import VectorField

from leads.facts import validate_facts
from leads.phones import normalize_phone, time_zone_for_phone


class LeadType(models.TextChoices):
    UNKNOWN = "unknown", "Unknown"
    BUYER = "buyer", "Buyer"
    SELLER = "seller", "Seller"
    RENTER = "renter", "Renter"


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    SPANISH = "es", "Spanish"


class Temperature(models.TextChoices):
    COLD = "cold", "Cold"
    WARM = "warm", "Warm"
    HOT = "hot", "Hot"


class Contact(models.Model):
    phone = models.CharField(max_length=20, unique=True, help_text="E.164, e.g. +14155550100")
    name = models.CharField(max_length=120, blank=True)
    lead_type = models.CharField(max_length=10, choices=LeadType.choices, default=LeadType.UNKNOWN)
    temperature = models.CharField(max_length=10, choices=Temperature.choices, default=Temperature.COLD)
    facts = models.JSONField(default=dict, blank=True, validators=[validate_facts])
    frs_score = models.PositiveSmallIntegerField(
        "FRS", default=0, validators=[MaxValueValidator(100)], help_text="Financial readiness score, 0-100"
    )
    pcs_score = models.PositiveSmallIntegerField(
        "PCS", default=0, validators=[MaxValueValidator(100)], help_text="Purchase/sale commitment score, 0-100"
    )
    opted_out = models.BooleanField(default=False)
    opted_out_at = models.DateTimeField(null=True, blank=True)
    bot_paused = models.BooleanField(
        default=False, help_text="The bot stays silent: handed off and waiting for an agent, or taken over by one")
    bot_paused_at = models.DateTimeField(null=True, blank=True)
    # Who took the conversation over: "taken over by NAME", not only "paused". Empty while the lead waits for an
    # agent (handed off, nobody has it yet) and once it is handed back to the bot.
    taken_over_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+", help_text="The agent who has the conversation")
    needs_agent = models.BooleanField(default=False, help_text="Handed off: waiting for a human agent")
    handoff_reason = models.CharField(max_length=120, blank=True)
    handoff_at = models.DateTimeField(null=True, blank=True)
    agent_alerted_at = models.DateTimeField(null=True, blank=True, help_text="When agents were told of the handoff")
    time_zone = models.CharField(max_length=64, blank=True, help_text="Derived from the number's prefix")
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH,
                                help_text="The language the prospect writes in; the bot answers in it")
    # Part of every cache key of this contact: bumping it makes all older cache entries unreachable at once.
    cache_version = models.PositiveIntegerField(default=1)
    last_message_at = models.DateTimeField(null=True, blank=True, help_text="Newest message either way")
    # Where a web lead came from (Zillow, the team's site) and the e-mail it gave; empty for a prospect who texted.
    source = models.CharField(max_length=120, blank=True)
    email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        indexes = [
            models.Index(fields=["temperature", "-updated_at"], name="contact_temperature_idx"),
            models.Index(fields=["lead_type"], name="contact_lead_type_idx"),
            models.Index(fields=["opted_out", "bot_paused"], name="contact_flags_idx"),
            models.Index(fields=["needs_agent", "-handoff_at"], name="contact_needs_agent_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(frs_score__lte=100), name="contact_frs_score_0_100"),
            models.CheckConstraint(condition=Q(pcs_score__lte=100), name="contact_pcs_score_0_100"),
            models.CheckConstraint(condition=Q(phone__startswith="+"), name="contact_phone_e164"),
        ]

    def __str__(self):
        return f"{self.name or 'Unnamed'} ({self.phone})"

    def save(self, *args, **kwargs):
        # Normalising here means every path (services, admin, fixtures) stores one form per number, so the
        # unique constraint collapses "(415) 555-0100" and "+1 415 555 0100" into one contact.
        self.phone = normalize_phone(self.phone)
        if not self.time_zone:
            self.time_zone = time_zone_for_phone(self.phone)
        super().save(*args, **kwargs)


class BotKind(models.TextChoices):
    LEAD = "lead", "Lead bot"
    BUYER = "buyer", "Buyer bot"
    SELLER = "seller", "Seller bot"


class Conversation(models.Model):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="conversations")
    active_bot = models.CharField(max_length=10, choices=BotKind.choices, default=BotKind.LEAD)
    # The fact the bot asked for last (the model may word the question freely, so the words cannot tell).
    asked_slot = models.CharField(max_length=20, blank=True)
    name_asked = models.BooleanField(default=False, help_text="The bot asks for a name once, then carries on")
    # Why the bot stopped qualifying ("not interested", "wrong number", "renter"); "" while it goes on. A later
    # text that states a plan to buy or sell opens it again.
    closed_reason = models.CharField(max_length=40, blank=True)
    # Facts the prospect was asked for and answered something else: not asked again in a loop.
    passed_slots = models.JSONField(default=list, blank=True)
    # The question in asked_slot is being asked a second time (the first reply told something else instead): a
    # second reply without its answer passes it, so no question is asked a third time.
    asked_again = models.BooleanField(default=False)
    started_at = models.DateTimeField(auto_now_add=True)
    last_activity_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-last_activity_at"]
        indexes = [models.Index(fields=["contact", "-last_activity_at"], name="conversation_contact_idx")]

    def __str__(self):
        return f"{self.get_active_bot_display()} with {self.contact}"


class Direction(models.TextChoices):
    INBOUND = "inbound", "Inbound"
    OUTBOUND = "outbound", "Outbound"


class DeliveryStatus(models.TextChoices):
    # Twilio's message states (plus our own "deferred", "suppressed" and "superseded"); outbound messages only move
    # forward.
    RECEIVED = "received", "Received"
    QUEUED = "queued", "Queued"
    DEFERRED = "deferred", "Deferred (quiet hours)"
    ACCEPTED = "accepted", "Accepted"
    SCHEDULED = "scheduled", "Scheduled"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    READ = "read", "Read"
    UNDELIVERED = "undelivered", "Undelivered"
    FAILED = "failed", "Failed"
    CANCELED = "canceled", "Canceled"
    SUPPRESSED = "suppressed", "Suppressed (opted out or paused)"
    SUPERSEDED = "superseded", "Superseded (a newer reply was queued)"


class Author(models.TextChoices):
    PROSPECT = "prospect", "Prospect"
    BOT = "bot", "Bot"
    HANDOFF = "handoff", "Bot handing off to an agent"
    AGENT = "agent", "Agent"
    SYSTEM = "system", "System (help and compliance texts)"


class MessagePurpose(models.TextChoices):
    # A reply answers the prospect (or an agent's text in a conversation); the others start a contact of our own,
    # which needs consent on file (sms.outbound refuses them otherwise) and counts towards a state's daily cap.
    REPLY = "reply", "Reply in a conversation"
    FIRST_TEXT = "first_text", "First text to a new lead"
    NUDGE = "nudge", "Follow-up nudge"
    NURTURE = "nurture", "Nurture text"


# The texts that are not replies: a consumer's consent is what allows them (TCPA, 47 CFR 64.1200(a)(2)).
SOLICITATIONS = (MessagePurpose.FIRST_TEXT, MessagePurpose.NUDGE, MessagePurpose.NURTURE)


class Keyword(models.TextChoices):
    NONE = "", "None"
    OPT_OUT = "opt_out", "Opt-out (STOP...)"
    OPT_IN = "opt_in", "Opt-in (START...)"
    HELP = "help", "Help (HELP, INFO)"


class Message(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=10, choices=Direction.choices)
    body = models.TextField(blank=True)
    twilio_sid = models.CharField(max_length=64, null=True, blank=True, help_text="MessageSid / SM...")
    status = models.CharField(max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED)
    segments = models.PositiveSmallIntegerField(default=1)
    author = models.CharField(max_length=10, choices=Author.choices, default=Author.PROSPECT)
    purpose = models.CharField(max_length=12, choices=MessagePurpose.choices, default=MessagePurpose.REPLY)
    keyword = models.CharField(max_length=10, choices=Keyword.choices, blank=True, default=Keyword.NONE)
    error_code = models.CharField(max_length=10, blank=True, help_text="Twilio error code of a failed send, or why it was suppressed (opted_out, bot_paused)")
    send_after = models.DateTimeField(null=True, blank=True, help_text="Held back by quiet hours until then")
    sent_at = models.DateTimeField(null=True, blank=True)
    # An inbound message is handled once: answered, or deliberately not (keyword, opted out, paused).
    handled_at = models.DateTimeField(null=True, blank=True)
    held_as = models.CharField(max_length=40, blank=True, default="",
                               help_text="Why the bot set nothing from this text: the prompt-injection limit it is "
                                         "outside of (e.g. voice:relayed); empty when the text was read")
    # An outbound reply points at the inbound message it answers; unique, so a turn can never store (or
    # send) two replies to one message, however often its task runs.
    reply_to = models.OneToOneField("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reply")
    # For the memory call's semantic search over the contact's older messages.
    embedding = VectorField(dimensions=settings.EMBEDDING_DIMENSIONS, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["contact", "-created_at"], name="message_contact_recent_idx"),
            models.Index(fields=["conversation", "created_at"], name="message_conversation_idx"),
            models.Index(fields=["status"], name="message_status_idx"),
            models.Index(fields=["contact", "direction", "handled_at"], name="message_pending_idx"),
        ]
        constraints = [
            # Twilio retries a webhook with the same MessageSid; only one row may ever hold it.
            models.UniqueConstraint(fields=["twilio_sid"], condition=Q(twilio_sid__isnull=False), name="message_twilio_sid_unique"),
        ]

    def __str__(self):
        return f"{self.get_direction_display()} {self.created_at:%Y-%m-%d %H:%M}: {self.body[:40]}"


class ScoreReason(models.TextChoices):
    TURN = "turn", "Conversation turn"
    RESCORE = "rescore", "Re-scored from stored facts"


class ScoreEvent(models.Model):
    """One change of a contact's scores or temperature, so agents can see how a lead warmed up (or cooled)."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="score_events")
    frs = models.PositiveSmallIntegerField("FRS")
    pcs = models.PositiveSmallIntegerField("PCS")
    temperature = models.CharField(max_length=10, choices=Temperature.choices)
    reason = models.CharField(max_length=10, choices=ScoreReason.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["contact", "created_at"], name="score_event_contact_idx")]

    def __str__(self):
        return f"{self.contact}: FRS {self.frs}, PCS {self.pcs}, {self.get_temperature_display()} ({self.reason})"


class ConsentMethod(models.TextChoices):
    TEXTED_FIRST = "texted_first", "They texted us first"
    WEB_FORM = "web_form", "A web form"
    AGENT_NOTE = "agent_note", "An agent's note"
    OPTED_IN = "opted_in", "They opted back in (START)"


class Consent(models.Model):
    """How a contact agreed to get texts that are not replies (a first text, nudges, nurture texts): kept as
    evidence, with the words they agreed to, where and when. An opt-out revokes every standing record; a new one
    (texting START, a new form) is a new record."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="consents")
    method = models.CharField(max_length=20, choices=ConsentMethod.choices)
    wording = models.TextField(blank=True, help_text="What they agreed to: the form's consent text, or the text they sent")
    source = models.CharField(max_length=500, blank=True, help_text="Where: the form's URL or name, the lead source")
    obtained_at = models.DateTimeField()
    note = models.TextField(blank=True, help_text="An agent's account of how consent was given")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_because = models.CharField(max_length=200, blank=True, help_text="What revoked it (the opt-out)")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["obtained_at", "id"]
        indexes = [models.Index(fields=["contact", "revoked_at"], name="consent_contact_idx")]

    def __str__(self):
        return f"{self.get_method_display()} ({self.obtained_at:%Y-%m-%d})"


class LeadSubmission(models.Model):
    """One web lead as a lead source posted it (POST /leads/intake): the contact it was merged into, and the
    event's own fields, kept as received."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="lead_submissions")
    source = models.CharField(max_length=120)
    event_type = models.CharField(max_length=60, help_text="The source's type: Registration, Seller Inquiry, ...")
    message = models.TextField(blank=True)
    payload = models.JSONField(help_text="The body as posted")
    merged = models.BooleanField(default=False, help_text="The contact existed already (same number)")
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["received_at", "id"]
        indexes = [models.Index(fields=["contact", "received_at"], name="lead_submission_contact_idx")]

    def __str__(self):
        return f"{self.event_type} from {self.source} ({self.received_at:%Y-%m-%d %H:%M})"


class FollowUpStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused by an agent"
    STOPPED = "stopped", "Stopped"


class FollowUp(models.Model):
    """A contact's follow-up plan: when our question goes unanswered, nudges at the schedule's offsets from that
    text, then monthly nurture texts (leads.followups). A reply from the prospect clears the next nudge, and our
    next question starts the clock again; a stop (opt-out, not interested, a handoff, an agent) is for good."""

    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="follow_up")
    status = models.CharField(max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.ACTIVE)
    anchor_at = models.DateTimeField(help_text="When our unanswered text was queued: the schedule counts from it")
    step = models.PositiveSmallIntegerField(default=0, help_text="Follow-ups sent since then")
    due_at = models.DateTimeField(null=True, blank=True, help_text="The next follow-up; empty when none is due")
    stop_reason = models.CharField(max_length=120, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    last_sent = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["status", "due_at"], name="follow_up_due_idx")]

    def __str__(self):
        return f"{self.get_status_display()} follow-up of {self.contact}"
