"""Reads of contacts and messages."""

from datetime import timedelta

from pgvector.django import CosineDistance

from leads.models import Contact, Direction, Message
from leads.phones import normalize_phone

VELOCITY_WINDOW_MINUTES = 10


def contact_by_phone(phone: str) -> Contact | None:
    return Contact.objects.filter(phone=normalize_phone(phone)).first()


def recent_messages(*, contact: Contact, limit: int = 10) -> list[Message]:
    """The contact's last `limit` messages, oldest first."""
    newest = list(Message.objects.filter(contact=contact).order_by("-created_at", "-id")[:limit])
    return newest[::-1]


def preceding_question(inbound: Message) -> str:
    """The bot's last message before this inbound one: it gives short replies ("yes", "3") their meaning."""
    previous = (
        Message.objects.filter(contact_id=inbound.contact_id, direction=Direction.OUTBOUND, id__lt=inbound.id)
        .order_by("-id").values_list("body", flat=True).first()
    )
    return previous or ""


def messages_per_minute(inbound: Message) -> float:
    """How fast the prospect is texting: their messages in the few minutes up to this one (by the messages' own
    times, so a turn that runs late, or a replayed day, measures the same speed)."""
    since = inbound.created_at - timedelta(minutes=VELOCITY_WINDOW_MINUTES)
    recent = Message.objects.filter(contact_id=inbound.contact_id, direction=Direction.INBOUND,
                                    created_at__gt=since, created_at__lte=inbound.created_at).count()
    return recent / VELOCITY_WINDOW_MINUTES


def similar_older_messages(contact: Contact, text: str, *, exclude_ids: list[int], limit: int) -> list[dict]:
    """The contact's own older messages nearest in meaning to `text` (never another contact's)."""
    from caching.services import embedding_for

    rows = (
        Message.objects.filter(contact=contact, embedding__isnull=False).exclude(id__in=exclude_ids)
        .annotate(distance=CosineDistance("embedding", embedding_for(text))).order_by("distance")[:limit]
    )
    return [{"id": m.pk, "direction": m.direction, "body": m.body, "created_at": m.created_at.isoformat()} for m in rows]
