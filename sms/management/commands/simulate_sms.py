import logging
import time
import uuid
from zoneinfo import ZoneInfo

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from twilio.request_validator import RequestValidator

from leads.models import Contact, DeliveryStatus, Message
from leads.phones import FALLBACK_TIME_ZONE, normalize_phone
from leads.selectors import Handling, contact_handling

# A reply in one of these states is settled: printed with what happened to it.
SETTLED = {DeliveryStatus.SENT, DeliveryStatus.DELIVERED, DeliveryStatus.READ, DeliveryStatus.DEFERRED,
           DeliveryStatus.SUPPRESSED, DeliveryStatus.SUPERSEDED, DeliveryStatus.FAILED, DeliveryStatus.UNDELIVERED}
SENT = (DeliveryStatus.SENT, DeliveryStatus.DELIVERED, DeliveryStatus.READ)


class Command(BaseCommand):
    help = ("Text the running app as a prospect would: send a correctly signed Twilio webhook to /sms/inbound and "
            "print the bot's reply once it is sent.")

    def add_arguments(self, parser):
        parser.add_argument("text", help="the SMS body")
        parser.add_argument("--from", dest="sender", required=True, help="the prospect's number, e.g. +15125550123")
        parser.add_argument("--to", default=settings.TWILIO_FROM_NUMBER or "+15005550006", help="the team's number")
        parser.add_argument("--url", default="http://127.0.0.1:8000",
                            help="where the app listens (default http://127.0.0.1:8000); signatures use PUBLIC_BASE_URL")
        parser.add_argument("--wait", type=float, default=60.0, help="seconds to wait for the reply (default 60)")

    def handle(self, *args, text, sender, to, url, wait, **options):
        # The command's own request is not news: httpx logs each one at INFO, which would land in the transcript.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        try:
            sender = normalize_phone(sender)
        except ValidationError as exc:
            raise CommandError(f"--from: {exc.messages[0]}")
        sid = f"SM{uuid.uuid4().hex}"
        params = {"MessageSid": sid, "SmsSid": sid, "AccountSid": settings.TWILIO_ACCOUNT_SID or "AC" + "0" * 32,
                  "From": sender, "To": to, "Body": text, "NumMedia": "0"}
        signature = RequestValidator(settings.TWILIO_AUTH_TOKEN).compute_signature(
            f"{settings.PUBLIC_BASE_URL}/sms/inbound", params)
        try:
            response = httpx.post(f"{url.rstrip('/')}/sms/inbound", data=params, timeout=10,
                                  headers={"X-Twilio-Signature": signature})
        except httpx.HTTPError as exc:
            raise CommandError(f"--url: cannot reach the app at {url} ({exc}); is `make run` running?")
        if response.status_code != 200:
            raise CommandError(f"the webhook answered {response.status_code}: {response.text[:200]}")
        self.stdout.write(f"you ({sender}): {text}")
        deadline = time.monotonic() + wait
        keyword_told = False
        while time.monotonic() < deadline:
            inbound = Message.objects.filter(twilio_sid=sid).first()
            if inbound is not None and inbound.keyword and not keyword_told:
                self.stdout.write(f"(keyword {inbound.get_keyword_display()} handled)")
                keyword_told = True
                if not hasattr(inbound, "reply"):
                    return
            reply = Message.objects.filter(reply_to__twilio_sid=sid).first()
            if reply is not None and reply.status in SETTLED:
                self.stdout.write(f"bot: {reply.body}{_what_became_of(reply)}")
                return
            if inbound is not None and inbound.handled_at and reply is None:
                self.stdout.write(f"(no reply: {_why_silent(inbound.contact)})")
                return
            time.sleep(0.25)
        raise CommandError(f"no reply within {wait:g}s; is the Celery worker running (make run starts one)?")


def _what_became_of(reply: Message) -> str:
    """'' for a text that went out; otherwise what happened to it, with a deferred text's time where the prospect is."""
    if reply.status in SENT:
        return ""
    if reply.status == DeliveryStatus.DEFERRED and reply.send_after:
        zone = ZoneInfo(reply.contact.time_zone or FALLBACK_TIME_ZONE)
        local = reply.send_after.astimezone(zone)
        return f" [held back by quiet hours: goes out {local:%a %b} {local.day}, {_clock(local)} their time ({zone})]"
    if reply.error_code:
        return f" [{reply.get_status_display()}: {reply.error_code}]"
    return f" [{reply.get_status_display()}]"


def _clock(moment) -> str:
    return f"{moment.hour % 12 or 12}:{moment:%M} {'AM' if moment.hour < 12 else 'PM'}"


def _why_silent(contact: Contact) -> str:
    handling = contact_handling(Contact.objects.select_related("taken_over_by").get(pk=contact.pk))
    if handling.state == Handling.WAITING:
        return f"handed to an agent ({handling.reason or 'no reason recorded'}); the bot stays silent until one answers"
    if handling.state == Handling.TAKEN_OVER:
        return f"{handling.who_has_it}; the bot stays silent"
    if handling.state == Handling.OPTED_OUT:
        return "the contact has opted out"
    return "the bot had nothing to add (the conversation is closed)"
