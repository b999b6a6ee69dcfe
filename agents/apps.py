from django.apps import AppConfig


class AgentsConfig(AppConfig):
    """The agents' and operators' screens on top of every layer: the admin for leads, the dashboard, exports."""

    name = "agents"
    verbose_name = "Agents"

    def ready(self):
        from agents import signals  # noqa: F401 - registers the handlers
