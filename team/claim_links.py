"""Claim links: a signed ticket naming the lead, the agent it was sent to and the round of offers it belongs to
(django.core.signing, so it cannot be forged or moved to another lead, and it expires)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "team.claim-link"


class InvalidClaimLink(Exception):
    """The link was altered, belongs to nothing, or has expired; the message says which, in words."""


@dataclass(frozen=True)
class ClaimTicket:
    contact_id: int
    agent_id: int
    offer_round: int


def claim_token(ticket: ClaimTicket) -> str:
    return signing.dumps({"c": ticket.contact_id, "a": ticket.agent_id, "r": ticket.offer_round}, salt=SALT)


def claim_url(ticket: ClaimTicket) -> str:
    return f"{settings.PUBLIC_BASE_URL}{reverse('claim-lead', args=[claim_token(ticket)])}"


def read_claim_token(token: str) -> ClaimTicket:
    try:
        data = signing.loads(token, salt=SALT, max_age=timedelta(hours=settings.ROUTING_CLAIM_LINK_HOURS))
    except signing.SignatureExpired as exc:
        raise InvalidClaimLink(f"This claim link has expired (links work for {settings.ROUTING_CLAIM_LINK_HOURS} "
                               "hours). The lead may have moved on; open it from the contacts list.") from exc
    except signing.BadSignature as exc:
        raise InvalidClaimLink("This claim link is not valid: it was cut short or changed. Open the link from "
                               "the text or e-mail again.") from exc
    try:
        return ClaimTicket(contact_id=int(data["c"]), agent_id=int(data["a"]), offer_round=int(data["r"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidClaimLink("This claim link is not valid: it names no lead.") from exc
