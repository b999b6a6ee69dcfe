"""Thin handlers of the lower layers' events: a text to answer starts a turn; a retired contact cache is freed."""

from django.dispatch import receiver

from caching.keys import Scope
from caching.services import get_cache
from leads.events import contact_cache_retired
from sms.signals import inbound_text_stored


@receiver(inbound_text_stored, dispatch_uid="bots.answer_inbound_text")
def answer_inbound_text(sender, message_id: int, **kwargs):
    # Imported when a text arrives, not when the app loads: the task module brings in Celery and the Claude
    # client, which `manage.py help` and other commands that answer no text should not pay for at startup.
    from bots.tasks import process_inbound_message

    process_inbound_message.delay(message_id)


@receiver(contact_cache_retired, dispatch_uid="bots.free_retired_contact_cache")
def free_retired_contact_cache(sender, contact_id: int, **kwargs):
    get_cache().forget_scope(Scope.contact_scope_name(contact_id))
