"""Settings, all in one place, read from the environment (12-factor). See .env.example for every variable.

DJANGO_ENV selects the profile: `development` (default), `test`, or `production`. Production refuses to start
with DEBUG on, an insecure SECRET_KEY, or missing DATABASE_URL / REDIS_URL. Importing this module has no side
effects: it starts no server and writes no file. When those URLs are unset in development and tests, it reads
the ports of the embedded PostgreSQL+pgvector and Valkey servers from their pid files under EMBEDDED_DATA_DIR;
the entry points that need the servers (manage.py, `celery -A config`, config.wsgi/asgi, the test run, the
runner) start them first with `config.embedded.provide()`.
"""

from pathlib import Path

import environ

from config import embedded
from config import env as checks

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in ("development", "test", "production"):
    raise checks.ConfigurationError(f"DJANGO_ENV must be development, test or production (got {DJANGO_ENV!r})")
PRODUCTION = DJANGO_ENV == "production"

DEBUG = checks.boolean("DEBUG", env.str("DEBUG", default=None), default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise checks.ConfigurationError("DEBUG must be false in production")

SECRET_KEY = checks.secret_key(env.str("SECRET_KEY", default=""), PRODUCTION)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"])
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://localhost:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[PUBLIC_BASE_URL])

# --- services: PostgreSQL+pgvector and Redis -----------------------------------------------------------------
DATABASE_URL = env.str("DATABASE_URL", default="")
REDIS_URL = env.str("REDIS_URL", default="")
EMBEDDED_DATA_DIR = embedded.data_dir_from_environment()
TEST_REDIS_DB = None   # the Redis database tests own on the embedded server (set below when embedded)
if PRODUCTION and not (DATABASE_URL and REDIS_URL):
    raise checks.ConfigurationError("DATABASE_URL and REDIS_URL must be set in production (no embedded services)")
if not (DATABASE_URL and REDIS_URL):
    # Tests use their own Redis database on the shared embedded server, so a running `make run` keeps its data
    # (TEST_REDIS_DB lets two test runs share the server without sharing a database).
    TEST_REDIS_DB = env.int("TEST_REDIS_DB", default=15)
    _embedded = embedded.recorded_urls(EMBEDDED_DATA_DIR, redis_db=TEST_REDIS_DB if DJANGO_ENV == "test" else 0)
    DATABASE_URL = DATABASE_URL or _embedded.database_url
    REDIS_URL = REDIS_URL or _embedded.redis_url

DATABASES = {"default": checks.database_config(DATABASE_URL)}
# pytest-django's test database; set TEST_DATABASE_NAME to run two test sessions against one server at once.
DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME", default="") or None}
REDIS_URL = checks.redis_url("REDIS_URL", REDIS_URL)
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "leads",
        "OPTIONS": {
            # JSON, never pickle: nothing read from Redis can execute code.
            "SERIALIZER": "django_redis.serializers.json.JSONSerializer",
            "SOCKET_CONNECT_TIMEOUT": 1,
            "SOCKET_TIMEOUT": 1,
            "CONNECTION_POOL_KWARGS": {"max_connections": 50, "retry_on_timeout": False},
        },
    }
}
# The LLM cache's L2 uses its own connection pool with tight timeouts: a slow Redis must cost a turn
# milliseconds, not seconds, before the circuit breaker skips it.
CACHES["llm"] = {
    "BACKEND": "django_redis.cache.RedisCache",
    "LOCATION": REDIS_URL,
    "OPTIONS": {
        "SERIALIZER": "django_redis.serializers.json.JSONSerializer",
        "SOCKET_CONNECT_TIMEOUT": 0.5,
        "SOCKET_TIMEOUT": 0.5,
        "CONNECTION_POOL_KWARGS": {"max_connections": 100},
    },
}
LLM_CACHE_L1_MAX_ENTRIES = env.int("LLM_CACHE_L1_MAX_ENTRIES", default=10_000)
LLM_CACHE_L1_MAX_BYTES = env.int("LLM_CACHE_L1_MAX_BYTES", default=64 * 1024 * 1024)
LLM_CACHE_RECENT_MESSAGES = env.int("LLM_CACHE_RECENT_MESSAGES", default=100)
LLM_CACHE_BREAKER_SECONDS = env.float("LLM_CACHE_BREAKER_SECONDS", default=5.0)
LLM_CACHE_SINGLE_FLIGHT_WAIT_SECONDS = env.float("LLM_CACHE_SINGLE_FLIGHT_WAIT_SECONDS", default=30.0)
# Share of guarded L3 misses re-checked without the guard, to estimate the near-misses it refused: each check is
# one more L3 query on the miss path, so a sample (10%) keeps the look-up fast and the estimate close.
LLM_CACHE_GUARD_AUDIT_RATE = env.float("LLM_CACHE_GUARD_AUDIT_RATE", default=0.1)
if not 0.0 <= LLM_CACHE_GUARD_AUDIT_RATE <= 1.0:
    raise checks.ConfigurationError(f"LLM_CACHE_GUARD_AUDIT_RATE must be between 0 and 1 (got {LLM_CACHE_GUARD_AUDIT_RATE})")
LLM_CACHE_SINGLE_FLIGHT_LOCK_SECONDS = env.float("LLM_CACHE_SINGLE_FLIGHT_LOCK_SECONDS", default=60.0)

# --- Celery (namespace CELERY_) -------------------------------------------------------------------------------
# Empty means unset: a .env copied from .env.example keeps the line with no value.
CELERY_BROKER_URL = checks.redis_url("CELERY_BROKER_URL", env.str("CELERY_BROKER_URL", default="") or REDIS_URL)
CELERY_RESULT_BACKEND = CELERY_BROKER_URL
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = 3600
# A turn is acknowledged only after it ran, and a worker holds one task at a time, so a killed worker's turn
# is redelivered rather than lost, and one slow turn does not hold others hostage in a prefetch buffer.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task a killed worker had taken is handed to another worker after this many seconds (it must exceed the
# longest turn, or a slow turn would run twice; the turn is idempotent either way).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
CELERY_TIMEZONE = "UTC"
# Task modules beyond each app's tasks.py (see the module's docstring for why it is separate).
CELERY_IMPORTS = ("sms.spool",)
CELERY_BEAT_SCHEDULE = {
    "purge-expired-semantic-cache": {"task": "caching.purge_expired", "schedule": 600.0},
    "drain-inbound-sms-spool": {"task": "sms.drain_inbound_spool", "schedule": 30.0},
    "send-due-follow-ups": {"task": "bots.send_due_follow_ups", "schedule": 60.0},
    "fall-back-unclaimed-leads": {"task": "team.fall_back_unclaimed_leads", "schedule": 60.0},
    "requeue-due-webhook-deliveries": {"task": "crm.requeue_due_deliveries", "schedule": 60.0},
    "send-due-appointment-reminders": {"task": "booking.send_due_reminders", "schedule": 60.0},
}

# --- third parties ----------------------------------------------------------------------------------------------
ANTHROPIC_API_KEY = env.str("ANTHROPIC_API_KEY", default="")
ANTHROPIC_TIMEOUT_SECONDS = env.float("ANTHROPIC_TIMEOUT_SECONDS", default=20.0)
ANTHROPIC_MAX_RETRIES = env.int("ANTHROPIC_MAX_RETRIES", default=2)
# Model per call kind: small and fast for classification and extraction, a stronger one for the reply.
CLAUDE_MODELS = {
    "intent": env.str("CLAUDE_MODEL_INTENT", default="claude-haiku-4-5"),
    "facts": env.str("CLAUDE_MODEL_FACTS", default="claude-haiku-4-5"),
    "memory": env.str("CLAUDE_MODEL_MEMORY", default="claude-haiku-4-5"),
    "response": env.str("CLAUDE_MODEL_RESPONSE", default="claude-sonnet-4-6"),
}
CLAUDE_MODELS["state_reply"] = env.str("CLAUDE_MODEL_STATE_REPLY", default="") or CLAUDE_MODELS["response"]
# shared_by_state: on the qualification path a reply written once per dialogue state (placeholders filled in code)
# serves every contact in that state; personal: every reply is written for its contact (bots/state_replies.py).
BOT_REPLY_MODE = checks.choice("BOT_REPLY_MODE", env.str("BOT_REPLY_MODE", default="shared_by_state"),
                               ("shared_by_state", "personal"))
# US dollars per million tokens: input, output, prompt-cache write (1.25x input), prompt-cache read (0.1x input).
# Anthropic's published list prices; override with LLM_PRICES_JSON='{"model": {"input": 1, ...}}'.
LLM_PRICES = {
    "claude-haiku-4-5": {"input": 1.00, "output": 5.00, "cache_write": 1.25, "cache_read": 0.10},
    "claude-sonnet-4-6": {"input": 3.00, "output": 15.00, "cache_write": 3.75, "cache_read": 0.30},
    "claude-sonnet-4-5": {"input": 3.00, "output": 15.00, "cache_write": 3.75, "cache_read": 0.30},
    "claude-opus-4-1": {"input": 15.00, "output": 75.00, "cache_write": 18.75, "cache_read": 1.50},
}
LLM_PRICES.update(env.json("LLM_PRICES_JSON", default={}))
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
# Webhook signatures are checked in every environment; development gets a fixed token so `simulate_sms` can
# sign its requests, production must have the account's real one.
DEVELOPMENT_TWILIO_AUTH_TOKEN = "development-only-twilio-auth-token"
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="" if PRODUCTION else DEVELOPMENT_TWILIO_AUTH_TOKEN)
if PRODUCTION and not TWILIO_AUTH_TOKEN:
    raise checks.ConfigurationError("TWILIO_AUTH_TOKEN must be set in production (webhook signatures are checked with it)")
TWILIO_FROM_NUMBER = env.str("TWILIO_FROM_NUMBER", default="")
TWILIO_MESSAGING_SERVICE_SID = env.str("TWILIO_MESSAGING_SERVICE_SID", default="")
# Embeddings for the semantic cache tier: "wordllama" (offline, weights shipped in the package) or "voyage".
EMBEDDING_BACKEND = env.str("EMBEDDING_BACKEND", default="wordllama")
if EMBEDDING_BACKEND not in ("wordllama", "voyage"):
    raise checks.ConfigurationError(f"EMBEDDING_BACKEND must be wordllama or voyage (got {EMBEDDING_BACKEND!r})")
VOYAGE_API_KEY = env.str("VOYAGE_API_KEY", default="")
VOYAGE_MODEL = env.str("VOYAGE_MODEL", default="voyage-3.5-lite")
if EMBEDDING_BACKEND == "voyage" and not VOYAGE_API_KEY:
    raise checks.ConfigurationError("VOYAGE_API_KEY must be set when EMBEDDING_BACKEND=voyage")
# The vector column's width; WordLlama gives 256, and Voyage is asked for the same.
EMBEDDING_DIMENSIONS = 256

# Where outbound SMS go: "twilio" (the REST API) or "console" (logged, for development without an account).
SMS_BACKEND = env.str("SMS_BACKEND", default="twilio" if (PRODUCTION or TWILIO_ACCOUNT_SID) else "console")
if SMS_BACKEND not in ("twilio", "console"):
    raise checks.ConfigurationError(f"SMS_BACKEND must be twilio or console (got {SMS_BACKEND!r})")
if SMS_BACKEND == "twilio" and PRODUCTION and not (TWILIO_ACCOUNT_SID and (TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID)):
    raise checks.ConfigurationError("TWILIO_ACCOUNT_SID and TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID must be set in production")
# Texts to prospects go out only between these local hours (the recipient's time zone, from the number).
SMS_SEND_FROM_HOUR = env.int("SMS_SEND_FROM_HOUR", default=8)
SMS_SEND_UNTIL_HOUR = env.int("SMS_SEND_UNTIL_HOUR", default=21)
# Follow-ups of a question left unanswered: nudges this many minutes after our unanswered text (default 10 minutes,
# 1, 3 and 7 days), then a nurture text every FOLLOW_UP_NURTURE_INTERVAL_DAYS for FOLLOW_UP_NURTURE_MONTHS texts.
FOLLOW_UP_DELAYS_MINUTES = checks.increasing_minutes(
    "FOLLOW_UP_DELAYS_MINUTES", env.str("FOLLOW_UP_DELAYS_MINUTES", default="10,1440,4320,10080"))
FOLLOW_UP_NURTURE_MONTHS = env.int("FOLLOW_UP_NURTURE_MONTHS", default=6)
FOLLOW_UP_NURTURE_INTERVAL_DAYS = env.int("FOLLOW_UP_NURTURE_INTERVAL_DAYS", default=30)
if FOLLOW_UP_NURTURE_MONTHS < 0 or FOLLOW_UP_NURTURE_INTERVAL_DAYS < 1:
    raise checks.ConfigurationError("FOLLOW_UP_NURTURE_MONTHS must be 0 or more and FOLLOW_UP_NURTURE_INTERVAL_DAYS 1 or more")
# Who hears about a handoff: e-mail addresses (comma separated) and an agent's phone for an SMS alert.
AGENT_ALERT_EMAILS = env.list("AGENT_ALERT_EMAILS", default=[])
AGENT_ALERT_PHONE = env.str("AGENT_ALERT_PHONE", default="")
# Routing a handoff to one agent (team.routing), once the team has agent profiles; until then the two above are
# told of every handoff. After the last routing group: "pond" offers the lead to every accepting agent (first to
# claim wins, no timeout); "owner" gives it to the user with ROUTING_OWNER_EMAIL, or the first superuser.
ROUTING_AFTER_LAST_GROUP = checks.choice("ROUTING_AFTER_LAST_GROUP", env.str("ROUTING_AFTER_LAST_GROUP", default="pond"),
                                         ("pond", "owner"))
ROUTING_OWNER_EMAIL = env.str("ROUTING_OWNER_EMAIL", default="")
# A claim link (signed) stops working after this many hours; a new offer sends new links.
ROUTING_CLAIM_LINK_HOURS = env.int("ROUTING_CLAIM_LINK_HOURS", default=24)
if ROUTING_CLAIM_LINK_HOURS < 1:
    raise checks.ConfigurationError("ROUTING_CLAIM_LINK_HOURS must be 1 or more")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="leads@localhost")
# E-mail from one URL (django-environ's schemes): smtp+tls://USER:PASSWORD@HOST:587, smtps://...:465, or
# consolemail:// (written to the log; the default). Production that e-mails agents must name a real server.
EMAIL_URL = env.str("EMAIL_URL", default="")
if PRODUCTION and AGENT_ALERT_EMAILS and not EMAIL_URL:
    raise checks.ConfigurationError("EMAIL_URL must be set in production when AGENT_ALERT_EMAILS is (alerts are e-mailed)")
# Sets EMAIL_BACKEND and those of EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS /
# EMAIL_USE_SSL that the URL gives (Django's defaults stay for the others).
globals().update(checks.email_config(EMAIL_URL or "consolemail://"))
SMS_HELP_TEXT = env.str(
    "SMS_HELP_TEXT",
    default="Real estate team: text us your questions and an agent will help. Msg&data rates may apply. Reply STOP to opt out.",
)

# Web leads (POST /leads/intake) are signed with this shared secret: X-Lead-Signature: sha256=<HMAC-SHA256 of the
# raw body>. Empty: the endpoint refuses every request (403).
LEAD_INTAKE_SECRET = env.str("LEAD_INTAKE_SECRET", default="")

# CRM sync (crm app): outbound webhooks. One attempt may take this long; a failed one (no answer, 5xx, 408, 429) is
# tried again after CRM_WEBHOOK_RETRY_BASE_SECONDS, doubled per failure up to CRM_WEBHOOK_RETRY_MAX_SECONDS (each
# wait drawn between half and all of it), CRM_WEBHOOK_MAX_ATTEMPTS attempts in all.
CRM_WEBHOOK_TIMEOUT_SECONDS = env.float("CRM_WEBHOOK_TIMEOUT_SECONDS", default=10.0)
CRM_WEBHOOK_MAX_ATTEMPTS = env.int("CRM_WEBHOOK_MAX_ATTEMPTS", default=8)
CRM_WEBHOOK_RETRY_BASE_SECONDS = env.float("CRM_WEBHOOK_RETRY_BASE_SECONDS", default=60.0)
CRM_WEBHOOK_RETRY_MAX_SECONDS = env.float("CRM_WEBHOOK_RETRY_MAX_SECONDS", default=6 * 3600.0)
if CRM_WEBHOOK_TIMEOUT_SECONDS <= 0 or CRM_WEBHOOK_MAX_ATTEMPTS < 1 or not (
        0 < CRM_WEBHOOK_RETRY_BASE_SECONDS <= CRM_WEBHOOK_RETRY_MAX_SECONDS):
    raise checks.ConfigurationError("CRM_WEBHOOK_TIMEOUT_SECONDS must be positive, CRM_WEBHOOK_MAX_ATTEMPTS 1 or more, "
                                    "and 0 < CRM_WEBHOOK_RETRY_BASE_SECONDS <= CRM_WEBHOOK_RETRY_MAX_SECONDS")
# Follow Up Boss: with an API key the lead's events are also posted to its /v1/events (HTTP Basic, the key as the
# user name), with the system FUB registered for us (X-System, X-System-Key). FOLLOW_UP_BOSS_SOURCE is the lead
# source FUB shows for a prospect who texted in (a web lead keeps its own source).
FOLLOW_UP_BOSS_API_KEY = env.str("FOLLOW_UP_BOSS_API_KEY", default="")
FOLLOW_UP_BOSS_SYSTEM = env.str("FOLLOW_UP_BOSS_SYSTEM", default="")
FOLLOW_UP_BOSS_SYSTEM_KEY = env.str("FOLLOW_UP_BOSS_SYSTEM_KEY", default="")
FOLLOW_UP_BOSS_SOURCE = env.str("FOLLOW_UP_BOSS_SOURCE", default="Text message")
if FOLLOW_UP_BOSS_API_KEY and not (FOLLOW_UP_BOSS_SYSTEM and FOLLOW_UP_BOSS_SYSTEM_KEY):
    raise checks.ConfigurationError("FOLLOW_UP_BOSS_SYSTEM and FOLLOW_UP_BOSS_SYSTEM_KEY must be set with "
                                    "FOLLOW_UP_BOSS_API_KEY (Follow Up Boss asks every request to name its system)")

# Region used to read numbers written without a country code ("415 555 0100").
DEFAULT_PHONE_REGION = env.str("DEFAULT_PHONE_REGION", default="US")

# --- Django -------------------------------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "config",  # infrastructure: the embedded_services and preflight commands
    # Layers, lowest first (import-linter keeps the direction): the domain, the generic cache, the SMS
    # transport, the bots, and the agents' screens on top.
    "leads",
    "caching",
    "sms",
    "team",
    "crm",  # beside team: the CRM sync, hearing the lead's events (leads.events)
    "booking",
    "bots",
    "agents",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # admin and dashboard assets under gunicorn, no CDN
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

if DJANGO_ENV == "test":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; tests hold no real secrets

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Hashed, compressed static files (whitenoise's manifest) in production. The image build turns this on to collect
# them under the development profile, so the build needs none of production's secrets or services.
STATIC_MANIFEST = checks.boolean("STATIC_MANIFEST", env.str("STATIC_MANIFEST", default=None), default=PRODUCTION)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if PRODUCTION:
    # Behind the reverse proxy (Caddy in docker-compose.yml), which terminates TLS, keeps the Host header and sets
    # X-Forwarded-Proto (replacing any a client sent); gunicorn is reachable only through it, so the header is
    # trusted. The Host header is the public one, so USE_X_FORWARDED_HOST is not needed.
    if not ALLOWED_HOSTS:
        raise checks.ConfigurationError("ALLOWED_HOSTS must be set in production (the public host name)")
    if not PUBLIC_BASE_URL.startswith("https://"):
        raise checks.ConfigurationError(f"PUBLIC_BASE_URL must be an https:// URL in production (got {PUBLIC_BASE_URL!r})")
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
