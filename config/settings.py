"""Settings for the dispute centre, read from the environment.

Development defaults are safe to run on a laptop. ``DJANGO_ENV=production`` turns on
every deployment protection and refuses to start without a secret key.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


PRODUCTION = os.environ.get("DJANGO_ENV", "development") == "production"

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_ENV=production.")
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

DEBUG = env_bool("DJANGO_DEBUG", not PRODUCTION)
ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"]
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "formtools",
    "django_tasks_db",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "orders",
    "disputes",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.BuyerTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "config.middleware.HtmxRedirectMiddleware",
]

if PRODUCTION:
    # Gunicorn serves compressed, hashed static files itself; runserver does it in development.
    INSTALLED_APPS.insert(
        INSTALLED_APPS.index("django.contrib.staticfiles"), "whitenoise.runserver_nostatic"
    )
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "config.urls"

# Pages load scripts, styles and media from this site only, and nothing inline: a file
# name or description that slipped past escaping could still run nothing.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "media-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "libraries": {"evidence": "disputes.evidence.templatetags"},
        },
    },
]

# SQLite on a laptop; PostgreSQL in production through DATABASE_URL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "600" if PRODUCTION else "0")),
        conn_health_checks=True,
    )
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "orders:account"
LOGOUT_REDIRECT_URL = "login"

# Internationalisation: English and French, chosen from the browser, with a switcher.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
# Shown to a buyer whose browser has not told us its time zone yet.
BUYER_DEFAULT_TIME_ZONE = os.environ.get("BUYER_DEFAULT_TIME_ZONE", "Europe/Paris")

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = BASE_DIR / "var" / "media"
EVIDENCE_ROOT = Path(os.environ.get("EVIDENCE_ROOT", BASE_DIR / "var" / "evidence"))

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Evidence is private: it has no URL and is only streamed by a view that checks access.
    # Point EVIDENCE_STORAGE_BACKEND at "storages.backends.s3.S3Storage" (plus the AWS_*
    # variables django-storages reads) to keep it in a private bucket instead.
    "evidence": {
        "BACKEND": os.environ.get(
            "EVIDENCE_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"
        ),
        "OPTIONS": {"location": EVIDENCE_ROOT, "base_url": None}
        if "EVIDENCE_STORAGE_BACKEND" not in os.environ
        else {},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# One cache for every process: what the cache holds (sessions, the
# API's rate-limit counters, page fragments) must be shared by all app servers, so production
# sets CACHE_URL to a Redis server. Without it each process keeps its own local-memory cache.
if cache_url := os.environ.get("CACHE_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": cache_url,
            "KEY_PREFIX": "disputes",
        }
    }
    # Every page reads the session: from the shared cache, the database only on a miss (one
    # query less per request). Not with per-process caches: a session ended in one process
    # would live on in another's copy.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Development prints emails to the console, or keeps them as files in EMAIL_FILE_PATH (a
# worker in another process can then be checked); production sends them through SMTP.
if PRODUCTION:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ.get("EMAIL_HOST", "localhost"),
                "port": int(os.environ.get("EMAIL_PORT", "587")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                "timeout": 10,
            },
        }
    }
elif email_file_path := os.environ.get("EMAIL_FILE_PATH"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": email_file_path},
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "disputes@example.com")

# Dispute windows (PRODUCT.md §2). Both boundaries are inclusive.
DISPUTE_OPENS_DAYS_AFTER_SHIPMENT = int(os.environ.get("DISPUTE_OPENS_DAYS_AFTER_SHIPMENT", "10"))
DISPUTE_WINDOW_DAYS_AFTER_RECEIPT = int(os.environ.get("DISPUTE_WINDOW_DAYS_AFTER_RECEIPT", "15"))
# The stages of an open dispute (PRODUCT.md §4a), in days; disputes.deadlines reads them.
DISPUTE_SELLER_ANSWER_DAYS = int(os.environ.get("DISPUTE_SELLER_ANSWER_DAYS", "5"))
DISPUTE_OFFER_ANSWER_DAYS = int(os.environ.get("DISPUTE_OFFER_ANSWER_DAYS", "5"))
DISPUTE_MEDIATOR_DECISION_DAYS = int(os.environ.get("DISPUTE_MEDIATOR_DECISION_DAYS", "7"))
DISPUTE_INFORMATION_DAYS = int(os.environ.get("DISPUTE_INFORMATION_DAYS", "3"))
DISPUTE_REMINDER_HOURS_BEFORE = int(os.environ.get("DISPUTE_REMINDER_HOURS_BEFORE", "48"))

# Background work (deadlines, emails) goes through Django's tasks framework; the database
# is the queue, and `manage.py db_worker` processes run it, on as many machines as needed.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# Evidence limits (PRODUCT.md §6).
EVIDENCE_PHOTO_MAX_BYTES = int(os.environ.get("EVIDENCE_PHOTO_MAX_BYTES", 20 * 1000 * 1000))
EVIDENCE_VIDEO_MAX_BYTES = int(os.environ.get("EVIDENCE_VIDEO_MAX_BYTES", 100 * 1000 * 1000))
EVIDENCE_VIDEO_MAX_SECONDS = int(os.environ.get("EVIDENCE_VIDEO_MAX_SECONDS", 180))
EVIDENCE_MAX_FILES = int(os.environ.get("EVIDENCE_MAX_FILES", 10))
# Uploads larger than this are streamed to a temporary file, never held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", 31_536_000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

# The marketplace's API (PRODUCT.md §10, docs/api.md): tokens only, JSON only.
API_MAX_ORDERS = int(os.environ.get("API_MAX_ORDERS", "10000"))
API_MAX_BODY_BYTES = int(os.environ.get("API_MAX_BODY_BYTES", 20 * 1000 * 1000))
API_THROTTLE_RATES = {
    "client": os.environ.get("API_RATE_LIMIT", "1200/minute"),
    "bulk_orders": os.environ.get("API_BULK_RATE_LIMIT", "60/minute"),
}
# The events feed stops short of events younger than this (see api.views._settled_events).
API_FEED_SETTLE_SECONDS = int(os.environ.get("API_FEED_SETTLE_SECONDS", "5"))
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.authentication.IsApiClient"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ClientRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
    # \u-escaped JSON: a lone surrogate echoed in an error message is still valid UTF-8.
    "UNICODE_JSON": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Dispute centre API",
    "DESCRIPTION": "For the marketplace's systems: orders in, disputes out, signed webhooks. "
    "See docs/api.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "OrderStatusEnum": "orders.models.OrderStatus",
        "DisputeStatusEnum": "disputes.models.DisputeStatus",
        "DisputeReasonEnum": "disputes.models.DisputeReason",
        "EscalationReasonEnum": "disputes.models.EscalationReason",
        "PartyEnum": "disputes.models.Party",
        "ActorEnum": "api.serializers.ACTORS",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_components",
    ],
}

# Absolute links in emails.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
