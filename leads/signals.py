"""Thin signal handlers: they notice a change and hand it to a service."""

from django.db.models.signals import post_init, post_save
from django.dispatch import receiver

from leads.models import Contact
from leads.services import contact_retire_cache


@receiver(post_init, sender=Contact)
def remember_loaded_temperature(sender, instance, **kwargs):
    instance._loaded_temperature = instance.temperature


@receiver(post_save, sender=Contact)
def retire_cache_on_temperature_change(sender, instance, created, **kwargs):
    if created or instance.temperature == instance._loaded_temperature:
        return
    # Scores and responses cached for the old temperature must not be served for the new one.
    instance.cache_version = contact_retire_cache(contact_id=instance.pk)
    instance._loaded_temperature = instance.temperature
