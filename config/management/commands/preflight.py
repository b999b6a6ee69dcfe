from django.core.management.base import BaseCommand, CommandError

from config.health import check_services


class Command(BaseCommand):
    help = "Check that PostgreSQL and Redis (cache and broker) answer; exit 2 naming the setting if one does not."

    def add_arguments(self, parser):
        parser.add_argument("--worker", action="store_true", help="also send a task and wait for a worker to run it")
        parser.add_argument("--timeout", type=float, default=20.0, help="seconds to wait for the worker (default 20)")

    def handle(self, *args, worker, timeout, **options):
        problems = check_services()
        if problems:
            raise CommandError("; ".join(problems), returncode=2)
        self.stdout.write("services ok: database, cache, broker")
        if worker:
            from celery.exceptions import TimeoutError as CeleryTimeout

            from config.tasks import worker_health

            try:
                report = worker_health.delay().get(timeout=timeout)
            except CeleryTimeout:
                raise CommandError(f"CELERY_BROKER_URL: no worker ran the task within {timeout:g}s", returncode=2)
            self.stdout.write(f"worker ok: {report['hostname']} ran the task; it sees: {'; '.join(report['problems']) or 'all services'}")
