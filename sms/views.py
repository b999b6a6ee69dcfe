"""Twilio webhooks: thin. Signature first (403, nothing stored), then the form, then a service."""

from functools import wraps

import redis
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from sms.inbound import receive_sms
from sms.outbound import apply_status_callback
from sms.spool import spool_inbound

# Twilio joins long texts up to 1,600 characters; anything far beyond that is not an SMS.
MAX_BODY_CHARS = 5000


def twilio_signed(view):
    """Validate X-Twilio-Signature against the public URL Twilio called (not the proxy-internal one Django sees),
    in every environment. CSRF does not apply: the signature is the proof of origin."""

    @csrf_exempt
    @require_POST
    @wraps(view)
    def checked(request, *args, **kwargs):
        from twilio.request_validator import RequestValidator

        signature = request.headers.get("X-Twilio-Signature", "")
        url = settings.PUBLIC_BASE_URL + request.get_full_path()
        if not signature or not settings.TWILIO_AUTH_TOKEN or not RequestValidator(settings.TWILIO_AUTH_TOKEN).validate(
            url, request.POST.dict(), signature
        ):
            return HttpResponseForbidden()
        return view(request, *args, **kwargs)

    return checked


@twilio_signed
def sms_inbound(request):
    form = request.POST
    sid, sender, body = form.get("MessageSid", "").strip(), form.get("From", "").strip(), form.get("Body")
    if not sid or not sender or body is None:
        return HttpResponseBadRequest("MessageSid, From and Body are required", content_type="text/plain")
    if len(body) > MAX_BODY_CHARS:
        return HttpResponseBadRequest("Body is longer than an SMS can be", content_type="text/plain")
    # NUL carries nothing in an SMS and PostgreSQL text cannot hold it.
    payload = {"from_number": sender, "body": body.replace("\x00", ""), "message_sid": sid,
               "opt_out_type": form.get("OptOutType", "")}
    try:
        receive_sms_retrying(payload)
    except ValidationError as exc:
        return HttpResponseBadRequest(f"From: {exc.messages[0]}", content_type="text/plain")
    except (OperationalError, InterfaceError) as exc:
        try:
            spool_inbound(payload, reason=str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        except (redis.RedisError, OSError):
            return HttpResponse("temporarily unavailable", status=503, content_type="text/plain")
    from twilio.twiml.messaging_response import MessagingResponse

    # An empty TwiML response: the reply goes out later through the REST API, from the worker.
    return HttpResponse(str(MessagingResponse()), content_type="text/xml")


def receive_sms_retrying(payload: dict, attempts: int = 3) -> None:
    """A lock conflict or a dropped connection is worth one more try before the text is spooled."""
    for attempt in range(1, attempts + 1):
        try:
            receive_sms(**payload)
            return
        except (OperationalError, InterfaceError):
            if attempt == attempts:
                raise


@twilio_signed
def sms_status(request):
    sid, status = request.POST.get("MessageSid", ""), request.POST.get("MessageStatus", "")
    if not sid or not status:
        return HttpResponseBadRequest("MessageSid and MessageStatus are required", content_type="text/plain")
    apply_status_callback(message_sid=sid, status=status, error_code=request.POST.get("ErrorCode", ""))
    return HttpResponse(status=204)
