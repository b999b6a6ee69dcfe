from django.apps import AppConfig


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = "CRM sync"

    def ready(self):
        from crm import receivers  # noqa: F401 - listens to the domain events (leads.events)
