from django.apps import AppConfig


class InfrastructureConfig(AppConfig):
    """The project's infrastructure as a Django app: its operator commands (`embedded_services`, `preflight`) and
    the loading of the Celery app. It has no models."""

    name = "config"
    label = "config"
    verbose_name = "Infrastructure"
    # manage.py turns this off for the commands that use no service and so send no task (help, check, ...).
    load_celery_app = True

    def ready(self):
        if InfrastructureConfig.load_celery_app:
            from config.celery import app  # noqa: F401 - binds @shared_task to the configured app
