import time
import uuid

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from twilio.request_validator import RequestValidator

from leads.models import DeliveryStatus, Message
from leads.phones import normalize_phone

DELIVERED = {DeliveryStatus.SENT, DeliveryStatus.DELIVERED, DeliveryStatus.READ, DeliveryStatus.DEFERRED,
             DeliveryStatus.SUPPRESSED, DeliveryStatus.SUPERSEDED, DeliveryStatus.FAILED}


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
        while time.monotonic() < deadline:
            inbound = Message.objects.filter(twilio_sid=sid).first()
            if inbound is not None and inbound.keyword:
                self.stdout.write(f"(keyword {inbound.get_keyword_display()} handled)")
                if not hasattr(inbound, "reply"):
                    return
            reply = Message.objects.filter(reply_to__twilio_sid=sid).first()
            if reply is not None and reply.status in DELIVERED:
                note = "" if reply.status in (DeliveryStatus.SENT, DeliveryStatus.DELIVERED) else f" [{reply.get_status_display()}]"
                self.stdout.write(f"bot: {reply.body}{note}")
                return
            if inbound is not None and inbound.handled_at and reply is None:
                self.stdout.write("(no reply: the contact is opted out or an agent has the conversation)")
                return
            time.sleep(0.25)
        raise CommandError(f"no reply within {wait:g}s; is the Celery worker running (make run starts one)?")
