"""How a webhook is signed, and how its receiver checks it (README, "CRM sync" shows the same in a few lines).

X-Webhook-Timestamp is the send time in Unix seconds; X-Webhook-Signature is "sha256=" and the hex HMAC-SHA256,
under the endpoint's secret, of the timestamp, a dot and the raw body. The timestamp is signed so a captured request
cannot be replayed later: the receiver refuses one whose timestamp is too old."""

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-Webhook-Signature"
TIMESTAMP_HEADER = "X-Webhook-Timestamp"
PREFIX = "sha256="
# What a receiver should accept between our clock and theirs, and for the request's time in flight.
DEFAULT_TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    signed = str(timestamp).encode() + b"." + body
    return PREFIX + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signed_headers(secret: str, body: bytes, *, now: float | None = None) -> dict[str, str]:
    timestamp = int(time.time() if now is None else now)
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: signature(secret, timestamp, body)}


def verify(secret: str, body: bytes, headers, *, now: float | None = None,
           tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS) -> bool:
    """A receiver's check: the signature matches the raw body and timestamp, and the timestamp is recent."""
    try:
        timestamp = int(headers.get(TIMESTAMP_HEADER, ""))
    except ValueError:
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance_seconds:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), headers.get(SIGNATURE_HEADER, ""))
