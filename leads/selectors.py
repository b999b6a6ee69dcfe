"""Reads of contacts and messages."""

from datetime import timedelta

from django.utils import timezone
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


def messages_per_minute(contact: Contact) -> float:
    """How fast the conversation moves now: messages either way over the last few minutes."""
    since = timezone.now() - timedelta(minutes=VELOCITY_WINDOW_MINUTES)
    return Message.objects.filter(contact=contact, created_at__gte=since).count() / VELOCITY_WINDOW_MINUTES


def similar_older_messages(contact: Contact, text: str, *, exclude_ids: list[int], limit: int) -> list[dict]:
    """The contact's own older messages nearest in meaning to `text` (never another contact's)."""
    from caching.services import embedding_for

    rows = (
        Message.objects.filter(contact=contact, embedding__isnull=False).exclude(id__in=exclude_ids)
        .annotate(distance=CosineDistance("embedding", embedding_for(text))).order_by("distance")[:limit]
    )
    return [{"id": m.pk, "direction": m.direction, "body": m.body, "created_at": m.created_at.isoformat()} for m in rows]
