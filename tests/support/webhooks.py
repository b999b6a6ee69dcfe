"""Twilio's webhooks as Twilio sends them: signed with the real twilio RequestValidator over the public URL."""

from __future__ import annotations

from django.conf import settings
from twilio.request_validator import RequestValidator

from tests.support.twilio import ACCOUNT


def twilio_signature(params: dict, path: str = "/sms/inbound", *, token: str | None = None,
                     url: str | None = None) -> str:
    """The X-Twilio-Signature for `params` posted to `path` on PUBLIC_BASE_URL (or to `url`), signed with the auth
    token (or `token`)."""
    url = url or settings.PUBLIC_BASE_URL + path
    return RequestValidator(token or settings.TWILIO_AUTH_TOKEN).compute_signature(url, params)


def signed_post(client, path: str, params: dict, *, token: str | None = None, url: str | None = None):
    """POST `params` to `path` with Django's test client, signed as Twilio signs it."""
    return client.post(path, data=params, HTTP_X_TWILIO_SIGNATURE=twilio_signature(params, path, token=token, url=url))


def inbound_params(body="hi there", sender="+15125550190", sid="SM" + "0" * 32, **extra):
    """An inbound text's form as Twilio posts it to /sms/inbound."""
    return {"MessageSid": sid, "SmsSid": sid, "AccountSid": ACCOUNT, "From": sender, "To": "+15005550006",
            "Body": body, "NumMedia": "0", **extra}
