"""Thin handlers of the lower layers' events: a text to answer starts a turn; a retired contact cache is freed."""

from django.dispatch import receiver

from bots.tasks import process_inbound_message
from caching.keys import Scope
from caching.services import get_cache
from leads.events import contact_cache_retired
from sms.signals import inbound_text_stored


@receiver(inbound_text_stored, dispatch_uid="bots.answer_inbound_text")
def answer_inbound_text(sender, message_id: int, **kwargs):
    process_inbound_message.delay(message_id)


@receiver(contact_cache_retired, dispatch_uid="bots.free_retired_contact_cache")
def free_retired_contact_cache(sender, contact_id: int, **kwargs):
    get_cache().forget_scope(Scope.contact_scope_name(contact_id))
