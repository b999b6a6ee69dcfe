from django.apps import AppConfig


class BotsConfig(AppConfig):
    name = "bots"
    verbose_name = "Bots"

    def ready(self):
        # The layers below do not know the bots: the cache is handed the meaning reader its guard needs, and the
        # transport's and the domain's events are connected to the turn and to the cache here.
        from bots import receivers  # noqa: F401 - connects the handlers
        import leads.understanding as understanding
        from caching.guard import register_meaning_fingerprint

        # Looked up on each call: the package loads its lexicon tables on first use, not at every startup.
        register_meaning_fingerprint(lambda text, context: understanding.fingerprint(text, context))
