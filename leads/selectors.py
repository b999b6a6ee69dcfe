"""Reads of contacts and messages."""

from leads.models import Contact, Message
from leads.phones import normalize_phone


def contact_by_phone(phone: str) -> Contact | None:
    return Contact.objects.filter(phone=normalize_phone(phone)).first()


def recent_messages(*, contact: Contact, limit: int = 10) -> list[Message]:
    """The contact's last `limit` messages, oldest first."""
    newest = list(Message.objects.filter(contact=contact).order_by("-created_at", "-id")[:limit])
    return newest[::-1]
