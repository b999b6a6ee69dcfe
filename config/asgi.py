"""ASGI entry point; like config.wsgi, it starts (or reuses) the embedded servers outside production when
DATABASE_URL/REDIS_URL are unset."""

import os

from django.core.asgi import get_asgi_application

from config import embedded

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
embedded.provide()
application = get_asgi_application()
