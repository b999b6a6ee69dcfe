from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=1)
def twilio_client():
    from twilio.http.http_client import TwilioHttpClient
    from twilio.rest import Client

    # A pooled session with a timeout, so a hung Twilio call cannot hold a worker for minutes.
    return Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN,
                  http_client=TwilioHttpClient(pool_connections=True, timeout=15))
