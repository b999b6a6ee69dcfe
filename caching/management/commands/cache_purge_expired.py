from django.core.management.base import BaseCommand

from caching.services import get_cache


class Command(BaseCommand):
    help = "Delete expired semantic-cache rows now (Celery beat also does it every 10 minutes)."

    def handle(self, *args, **options):
        self.stdout.write(f"purged {get_cache().purge_expired()} expired semantic-cache rows")
