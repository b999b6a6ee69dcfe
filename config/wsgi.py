import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Import every view (and what it imports: the SDKs, the extractor's lexicon) when the worker boots, not on its
# first request: otherwise the first webhooks after a deploy wait seconds for imports.
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns
