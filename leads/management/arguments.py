"""Command-line arguments shared by management commands."""

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from leads.models import Contact
from leads.selectors import contact_by_phone


def contact_from_argument(phone: str, option: str = "--contact") -> Contact:
    """The contact a `--contact PHONE` names (any format), or a one-line CommandError saying why not."""
    try:
        found = contact_by_phone(phone)
    except ValidationError as exc:
        raise CommandError(f"{option}: {exc.messages[0]}")
    if found is None:
        raise CommandError(f"{option}: no contact with number {phone}")
    return found
