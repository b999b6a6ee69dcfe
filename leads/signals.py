"""Thin signal handlers: they notice a change and hand it to a service."""

from django.db.models.signals import post_init, post_migrate, post_save
from django.dispatch import receiver

from leads.models import Contact


@receiver(post_init, sender=Contact)
def remember_loaded_temperature(sender, instance, **kwargs):
    instance._loaded_temperature = instance.temperature


@receiver(post_save, sender=Contact)
def invalidate_cache_on_temperature_change(sender, instance, created, **kwargs):
    if created or instance.temperature == instance._loaded_temperature:
        return
    from caching.services import invalidate_contact

    # Scores and responses cached for the old temperature must not be served for the new one.
    instance.cache_version = invalidate_contact(instance.pk)
    instance._loaded_temperature = instance.temperature


@receiver(post_migrate, dispatch_uid="leads.sync_agents_group")
def sync_agents_group(sender, **kwargs):
    # Sent once per app after every migrate and every test-database flush; the group is complete once the
    # last app's permissions exist, and a flush (which empties auth tables) gets it back.
    from leads.services import agents_group_sync

    agents_group_sync()
