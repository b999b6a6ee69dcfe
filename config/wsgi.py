"""WSGI entry point. Outside production, with DATABASE_URL/REDIS_URL unset, it starts (or reuses) the embedded
servers before Django reads its settings; in production it never does (settings refuse to start without the
URLs)."""

import os

from django.core.wsgi import get_wsgi_application

from config import embedded

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
embedded.provide()
application = get_wsgi_application()

# Import every view (and what it imports: the extractor's lexicon) and the Twilio helpers the webhook uses when
# the worker boots, not on its first request: otherwise the first webhooks after a deploy wait seconds for imports.
from django.urls import get_resolver  # noqa: E402
from twilio.request_validator import RequestValidator  # noqa: E402, F401
from twilio.twiml.messaging_response import MessagingResponse  # noqa: E402, F401

get_resolver().url_patterns
