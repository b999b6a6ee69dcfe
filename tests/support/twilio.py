"""Twilio's REST API faked at the HTTP layer: `responses` intercepts `requests`, so the real twilio client builds and
sends every call (the `twilio` fixture in tests/conftest.py installs it)."""

from __future__ import annotations

import re

import responses

ACCOUNT = "AC" + "1" * 32
TWILIO_MESSAGES = re.compile(rf"https://api\.twilio\.com/2010-04-01/Accounts/{ACCOUNT}/Messages\.json")


def twilio_created(sid="SM" + "a" * 32, status="queued"):
    return responses.Response(responses.POST, TWILIO_MESSAGES, status=201, json={
        "sid": sid, "status": status, "body": "", "to": "", "from": "+15005550006", "account_sid": ACCOUNT,
    })


def twilio_error(status, code, message="fake"):
    return responses.Response(responses.POST, TWILIO_MESSAGES, status=status,
                              json={"code": code, "message": message, "status": status, "more_info": ""})
