from django.conf import settings
from django.core.management.base import BaseCommand

from config import embedded


class Command(BaseCommand):
    help = "Show or stop the embedded PostgreSQL and Valkey servers (used when DATABASE_URL/REDIS_URL are unset)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["status", "stop"])

    def handle(self, *args, action, **options):
        data_dir = settings.EMBEDDED_DATA_DIR
        if action == "stop":
            stopped = embedded.stop(data_dir)
            self.stdout.write(f"stopped: {', '.join(stopped) or 'nothing was running'}")
            return
        for name, pid in embedded.status(data_dir).items():
            self.stdout.write(f"{name}: {'running, pid ' + str(pid) if pid else 'stopped'} ({data_dir})")
