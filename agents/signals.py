"""Thin signal handlers: they notice a change and hand it to a service."""

from django.db.models.signals import post_migrate
from django.dispatch import receiver


@receiver(post_migrate, dispatch_uid="agents.sync_agents_group")
def sync_agents_group(sender, **kwargs):
    # Sent once per app after every migrate and every test-database flush; the group is complete once the
    # last app's permissions exist, and a flush (which empties auth tables) gets it back.
    # Imported here, not at the top: agents.services reaches the SMS tasks and so Celery, which every
    # `manage.py` command would otherwise load at startup (this module is imported by the app's ready()).
    from agents.services import agents_group_sync

    agents_group_sync()
