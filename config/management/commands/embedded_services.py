from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from config import embedded, runner

SERVICES = ("postgres", "valkey")


class Command(BaseCommand):
    help = (
        "Report on, start or stop the embedded PostgreSQL and Valkey servers (used when DATABASE_URL/REDIS_URL are "
        "unset). `status` only reports: it never starts anything."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["status", "start", "stop"])
        parser.add_argument("services", nargs="*", metavar="SERVICE",
                            help="stop: only these (postgres, valkey); default both")
        parser.add_argument("--print-started", action="store_true",
                            help="start: print only the names of the servers this call started (for scripts)")
        parser.add_argument("--force", action="store_true",
                            help="stop: even while `make run` uses the servers (its worker and web server then fail)")

    def handle(self, *args, action, services, print_started, force, **options):
        data_dir = settings.EMBEDDED_DATA_DIR
        unknown = sorted(set(services) - set(SERVICES))
        if unknown or (services and action != "stop"):
            raise CommandError(f"SERVICE must be postgres or valkey, and only with stop (got {' '.join(services)})")
        if action == "stop":
            app = runner.running(data_dir)
            if app and not force:
                raise CommandError(f"the app is running (make run: pid {app.pid}, {app.url}) on these servers; Ctrl-C "
                                   "there stops it and the servers it started (or stop them anyway with --force)")
            stopped = embedded.stop(data_dir, services=tuple(services) or SERVICES)
            self.stdout.write(f"stopped: {', '.join(stopped) or 'nothing was running'}")
        elif action == "start":
            try:
                started = embedded.provide(data_dir)
            except embedded.EmbeddedServiceError as exc:
                raise CommandError(str(exc), returncode=2) from exc
            if print_started:
                self.stdout.write(" ".join(started))
            elif not embedded.wanted():
                self.stdout.write("DATABASE_URL and REDIS_URL are set (or DJANGO_ENV=production): nothing to start")
            else:
                self._report(data_dir, started)
        else:
            self._report(data_dir, ())

    def _report(self, data_dir, started):
        for name, server in embedded.describe(data_dir).items():
            if server["pid"]:
                state = f"{'started' if name in started else 'running'}, pid {server['pid']}, port {server['port']}"
            else:
                state = "stopped" + (f" (last port {server['port']})" if server["port"] else "")
            self.stdout.write(f"{name}: {state} ({server['folder']})")
        app = runner.running(data_dir)
        self.stdout.write(f"runner (make run): {runner.describe(app) if app else 'not running'}")
