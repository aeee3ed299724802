"""Settings for the dispute centre, read from the environment.

Development defaults are safe to run on a laptop. ``DJANGO_ENV=production`` turns on
every deployment protection and refuses to start without a secret key.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

# Typed code names the model of an admin class (``admin.ModelAdmin[Dispute]``), which
# Django's classes accept only once django-stubs-ext has made them generic at run time.
django_stubs_ext.monkeypatch()

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
    # The admin, on the site that asks staff for a second factor (accounts/admin_site.py).
    "accounts.apps.AdminConfig",
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
    "demo",
    "observability",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    # First: the request id, the request's metrics and its log line (docs/deploy.md).
    "observability.middleware.ObservedRequestMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Tells whether the signed-in account gave its second factor (user.is_verified()).
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.TimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "config.middleware.HtmxRedirectMiddleware",
    # Last, as django-axes asks: it turns a locked-out login's page into a 429.
    "axes.middleware.AxesMiddleware",
]

if PRODUCTION:
    # Gunicorn serves compressed, hashed static files itself; runserver does it in development.
    INSTALLED_APPS.insert(
        INSTALLED_APPS.index("django.contrib.staticfiles"), "whitenoise.runserver_nostatic"
    )
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
        "whitenoise.middleware.WhiteNoiseMiddleware",
    )

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
            "libraries": {
                "evidence": "disputes.evidence.templatetags",
                "fragments": "config.fragments",
            },
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
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # `make run` writes from a threaded server and a worker at once. Each write transaction
    # takes SQLite's write lock when it begins, waiting up to 20 s for its turn: a deferred
    # one that read first is refused at once ("database is locked") when it comes to write.
    # WAL lets readers go on while one writes.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Staff sign in to the admin with a password and a code: TOTP from an authenticator app, or
# one of their single-use recovery codes (django-otp; `manage.py add_totp_device`). On in
# production; off elsewhere so the demo's mediator signs in with its password alone.
ADMIN_REQUIRE_SECOND_FACTOR = env_bool("ADMIN_REQUIRE_SECOND_FACTOR", PRODUCTION)
OTP_TOTP_ISSUER = "Dispute centre"

# Password guessing (accounts/lockout.py): LOGIN_FAILURE_LIMIT failed logins for one
# account or from one address lock both out for LOGIN_LOCKOUT_MINUTES, counted in the
# database so that every app server shares them (django-axes).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "accounts.lockout.LoginFailuresHandler"
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # failures are kept for the lock-out; successes are not
AXES_LOCKOUT_CALLABLE = "accounts.lockout.locked_out_response"
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_address"
# How many proxies in front append to X-Forwarded-For. 0: the client's address is
# REMOTE_ADDR (a header a client can write is never trusted).
FORWARDED_FOR_PROXIES = int(os.environ.get("FORWARDED_FOR_PROXIES", "0"))

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "orders:account"
LOGOUT_REDIRECT_URL = "login"

# Single sign-on with the marketplace as OpenID provider (accounts/oidc.py), on when
# OIDC_ISSUER is set: exactly the issuer its discovery document names.
OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "")
OIDC_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "")
OIDC_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
OIDC_PROVIDER_NAME = os.environ.get("OIDC_PROVIDER_NAME") or _("the marketplace")
OIDC_USERNAME_CLAIM = os.environ.get("OIDC_USERNAME_CLAIM", "preferred_username")
if any(oidc_client := (OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET)) and not all(oidc_client):
    raise ImproperlyConfigured(
        "OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are set together or not at all."
    )
if PRODUCTION and OIDC_ISSUER and not OIDC_ISSUER.startswith("https://"):
    raise ImproperlyConfigured(
        "OIDC_ISSUER must be an https:// address when DJANGO_ENV=production: "
        "ID tokens and keys are not to be read over plain HTTP."
    )
if OIDC_ISSUER:
    # Logging out (a form) ends at the provider's end-session page when signed in through
    # it, and browsers apply the form-action policy to where a form's answer redirects.
    issuer_url = urlsplit(OIDC_ISSUER)
    SECURE_CSP["form-action"].append(f"{issuer_url.scheme}://{issuer_url.netloc}")

# Internationalisation: English and French, chosen from the browser, with a switcher.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
# Shown to a buyer whose browser has not told us its time zone yet.
DEFAULT_TIME_ZONE_SHOWN = os.environ.get("DEFAULT_TIME_ZONE_SHOWN", "Europe/Paris")

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = BASE_DIR / "var" / "media"
EVIDENCE_ROOT = Path(os.environ.get("EVIDENCE_ROOT", BASE_DIR / "var" / "evidence"))

EVIDENCE_STORAGE_BACKEND = os.environ.get(
    "EVIDENCE_STORAGE_BACKEND", "disputes.evidence.private_storage.PrivateFileSystemStorage"
)
# Evidence is private: it has no URL and is only streamed by a view that checks access.
if EVIDENCE_STORAGE_BACKEND == "disputes.evidence.private_storage.PrivateFileSystemStorage":
    # On a disk: files readable by the server's user only (0600), never half-written.
    EVIDENCE_STORAGE = {
        "BACKEND": EVIDENCE_STORAGE_BACKEND,
        "OPTIONS": {"location": EVIDENCE_ROOT},
    }
elif EVIDENCE_STORAGE_BACKEND == "storages.backends.s3.S3Storage":
    # A private bucket, for several app servers. django-storages reads Django settings, not
    # the environment, so its options are built here; the keys it finds itself in
    # AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or boto3 in the machine's role). Its
    # subclass in disputes.evidence.s3 reads stored files by byte range.
    from boto3.s3.transfer import TransferConfig

    if not os.environ.get("AWS_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured(
            "AWS_STORAGE_BUCKET_NAME must be set when EVIDENCE_STORAGE_BACKEND is S3Storage."
        )
    EVIDENCE_STORAGE = {
        "BACKEND": "disputes.evidence.s3.EvidenceS3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
            "location": os.environ.get("AWS_LOCATION", ""),
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "addressing_style": os.environ.get("AWS_S3_ADDRESSING_STYLE") or None,
            # Objects inherit the bucket's own (private) policy; none is ever public.
            "default_acl": None,
            # Names are random; an existing one is never replaced, as on a disk.
            "file_overwrite": False,
            # An upload goes up in 8 MB parts, one after the other: boto3's threads would
            # read up to ten parts ahead into memory (80 MB) for each upload.
            "transfer_config": TransferConfig(
                multipart_chunksize=8 * 1024 * 1024, use_threads=False
            ),
        },
    }
else:
    EVIDENCE_STORAGE = {"BACKEND": EVIDENCE_STORAGE_BACKEND}

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "evidence": EVIDENCE_STORAGE,
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
            # Django's Redis cache, reusing its redis-py client (config/cache.py).
            "BACKEND": "config.cache.SharedClientRedisCache",
            "LOCATION": cache_url,
            "KEY_PREFIX": "disputes",
            # A Redis that is down costs each request little: pages go on from the database
            # (config/cache.py), rather than every request waiting on a host that never answers.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    # Every page reads the session: from the shared cache, the database only on a miss (one
    # query less per request). Not with per-process caches: a session ended in one process
    # would live on in another's copy.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Whether /readyz holds a server back while its shared cache does not answer. Off by default:
# pages work without it (slower, and with the rate limits not counted).
CACHE_REQUIRED = env_bool("CACHE_REQUIRED", False)

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
# The delivery date promised when the marketplace sends none: this many days after shipment
# (PRODUCT.md §2a); from it, a parcel that has not arrived can be disputed.
DISPUTE_DELIVERY_DEFAULT_DAYS = int(os.environ.get("DISPUTE_DELIVERY_DEFAULT_DAYS", "60"))
# How far a seller may move the promised date, once, in answer to an "Item not received".
DISPUTE_DELIVERY_EXTENSION_MAX_DAYS = int(
    os.environ.get("DISPUTE_DELIVERY_EXTENSION_MAX_DAYS", "30")
)
# The stages of an open dispute (PRODUCT.md §4a), in days; disputes.deadlines reads them.
DISPUTE_SELLER_ANSWER_DAYS = int(os.environ.get("DISPUTE_SELLER_ANSWER_DAYS", "5"))
DISPUTE_OFFER_ANSWER_DAYS = int(os.environ.get("DISPUTE_OFFER_ANSWER_DAYS", "5"))
DISPUTE_MEDIATOR_DECISION_DAYS = int(os.environ.get("DISPUTE_MEDIATOR_DECISION_DAYS", "7"))
DISPUTE_INFORMATION_DAYS = int(os.environ.get("DISPUTE_INFORMATION_DAYS", "3"))
# After an outcome (PRODUCT.md §4c, §4f): the days the marketplace has to report a refund
# executed before the mediators see it, and the days to appeal and to answer an appeal.
REFUND_EXECUTION_DAYS = int(os.environ.get("REFUND_EXECUTION_DAYS", "3"))
DISPUTE_APPEAL_DAYS = int(os.environ.get("DISPUTE_APPEAL_DAYS", "30"))
DISPUTE_APPEAL_ANSWER_DAYS = int(os.environ.get("DISPUTE_APPEAL_ANSWER_DAYS", "7"))
# Returning the item before the refund (PRODUCT.md §4e): the buyer's days to ship it back,
# then the seller's to confirm it arrived once the tracking number is entered.
DISPUTE_RETURN_SHIP_DAYS = int(os.environ.get("DISPUTE_RETURN_SHIP_DAYS", "10"))
DISPUTE_RETURN_RECEIVE_DAYS = int(os.environ.get("DISPUTE_RETURN_RECEIVE_DAYS", "15"))
DISPUTE_REMINDER_HOURS_BEFORE = int(os.environ.get("DISPUTE_REMINDER_HOURS_BEFORE", "48"))

# Background work (deadlines, emails) goes through Django's tasks framework; the database
# is the queue, and `manage.py db_worker` processes run it, on as many machines as needed.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
# A task still running this long after a worker took it is taken to be lost with its worker
# and is queued again by `manage.py act_on_deadlines` (disputes.tasks.requeue_stalled_tasks).
TASK_LEASE_SECONDS = int(os.environ.get("TASK_LEASE_SECONDS", "600"))

# Evidence limits (PRODUCT.md §6).
EVIDENCE_PHOTO_MAX_BYTES = int(os.environ.get("EVIDENCE_PHOTO_MAX_BYTES", 20 * 1000 * 1000))
# A phone photo has up to about 50 million pixels (48 MP sensors); the pixel count, not the
# file size, is what decoding costs in memory (4 bytes a pixel).
EVIDENCE_PHOTO_MAX_PIXELS = int(os.environ.get("EVIDENCE_PHOTO_MAX_PIXELS", 50_000_000))
EVIDENCE_VIDEO_MAX_BYTES = int(os.environ.get("EVIDENCE_VIDEO_MAX_BYTES", 100 * 1000 * 1000))
EVIDENCE_VIDEO_MAX_SECONDS = int(os.environ.get("EVIDENCE_VIDEO_MAX_SECONDS", 180))
EVIDENCE_MAX_FILES = int(os.environ.get("EVIDENCE_MAX_FILES", 10))
# What one account may upload per UTC day, all orders and disputes together.
EVIDENCE_DAILY_MAX_FILES = int(os.environ.get("EVIDENCE_DAILY_MAX_FILES", 60))
EVIDENCE_DAILY_MAX_BYTES = int(os.environ.get("EVIDENCE_DAILY_MAX_BYTES", 1000 * 1000 * 1000))
# Draft evidence (a form with files, never sent) is removed once its last file is this old.
EVIDENCE_DRAFT_MAX_AGE_HOURS = float(os.environ.get("EVIDENCE_DRAFT_MAX_AGE_HOURS", 48))
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

# Logs go to the standard error, one JSON line each in production (each request and each
# task run has one, with its request id: observability/); plain text under `make run`.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured("LOG_FORMAT is json or text.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "observability.logs.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",  # ISO 8601, UTC
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        # Failures and lock-outs are warnings; axes' other news (a line at every start) is not.
        "axes": {"level": "WARNING"},
        # A task's start and end: observability.tasks has one line per run instead (failures,
        # with their traceback, are still errors here).
        "django.tasks": {"level": "WARNING"},
    },
}

# An order's dates may be this far ahead of our clock (the marketplace's may run fast);
# later ones are refused (PRODUCT.md §8).
ORDER_CLOCK_SKEW_SECONDS = int(os.environ.get("ORDER_CLOCK_SKEW_SECONDS", "300"))

# Metrics for Prometheus at /metrics (observability/, docs/deploy.md): answered to these
# networks, or to a request with `Authorization: Bearer METRICS_TOKEN`; a 404 to anyone else.
METRICS_ALLOWED_NETWORKS = env_list("METRICS_ALLOWED_NETWORKS", ["127.0.0.0/8", "::1/128"])
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")

# Errors to Sentry (or a server speaking its protocol) when SENTRY_DSN is set; nothing
# personal is sent (observability/sentry.py).
if sentry_dsn := os.environ.get("SENTRY_DSN"):
    from observability import sentry

    sentry.init(
        dsn=sentry_dsn,
        environment=os.environ.get(
            "SENTRY_ENVIRONMENT", "production" if PRODUCTION else "development"
        ),
        release=os.environ.get("SENTRY_RELEASE") or None,
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
    )

# The marketplace's API (PRODUCT.md §10, docs/api.md): tokens only, JSON only.
API_MAX_ORDERS = int(os.environ.get("API_MAX_ORDERS", "10000"))
API_MAX_BODY_BYTES = int(os.environ.get("API_MAX_BODY_BYTES", 20 * 1000 * 1000))
API_THROTTLE_RATES = {
    "client": os.environ.get("API_RATE_LIMIT", "1200/minute"),
    "bulk_orders": os.environ.get("API_BULK_RATE_LIMIT", "60/minute"),
    "failed_authentication": os.environ.get("API_FAILED_AUTH_RATE_LIMIT", "30/minute"),
}
# The events feed stops short of events younger than this (see api.views._settled_events).
API_FEED_SETTLE_SECONDS = int(os.environ.get("API_FEED_SETTLE_SECONDS", "5"))
# A rotated token keeps working this long (unless the client is revoked); a rotated
# webhook secret signs beside the new one this long.
API_TOKEN_OVERLAP_HOURS = int(os.environ.get("API_TOKEN_OVERLAP_HOURS", "24"))
WEBHOOK_SECRET_OVERLAP_HOURS = int(os.environ.get("WEBHOOK_SECRET_OVERLAP_HOURS", "24"))
# The signature header of our own scheme (X-Dispute-Signature), sent beside the Standard
# Webhooks headers until integrators have moved: planned to end on 2027-06-30 (docs/api.md).
WEBHOOK_LEGACY_SIGNATURE = env_bool("WEBHOOK_LEGACY_SIGNATURE", True)
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
    # 3.1: the webhooks are described too.
    "OAS_VERSION": "3.1.0",
    "WEBHOOKS": [
        "api.schema.DISPUTE_EVENT_WEBHOOK",
        "api.schema.REFUND_INSTRUCTED_WEBHOOK",
        "api.schema.RECEIPT_CONFIRMED_WEBHOOK",
    ],
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "OrderStatusEnum": "orders.models.OrderStatus",
        "DisputeStatusEnum": "disputes.models.DisputeStatus",
        "DisputeReasonEnum": "disputes.models.DisputeReason",
        "EscalationReasonEnum": "disputes.models.EscalationReason",
        "DecisionReasonEnum": "disputes.models.DecisionReason",
        "PartyEnum": "disputes.models.Party",
        "ActorEnum": "api.serializers.ACTORS",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
    ],
}

# Absolute links in emails.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Signing in without a password (PRODUCT.md §11, accounts/sign_in_links.py): how long the
# marketplace's hand-off link and an email's link work, once each; where a person whose
# link no longer works goes back to.
SIGN_IN_LINK_MAX_AGE_SECONDS = int(os.environ.get("SIGN_IN_LINK_MAX_AGE_SECONDS", "120"))
EMAIL_SIGN_IN_LINK_HOURS = int(os.environ.get("EMAIL_SIGN_IN_LINK_HOURS", "72"))
MARKETPLACE_URL = os.environ.get("MARKETPLACE_URL", "")
# "Email me a sign-in link": at most this many an hour per email address, and per
# client address (accounts.lockout.client_address).
EMAIL_SIGN_IN_LINKS_PER_ADDRESS = int(os.environ.get("EMAIL_SIGN_IN_LINKS_PER_ADDRESS", "3"))
EMAIL_SIGN_IN_LINKS_PER_CLIENT = int(os.environ.get("EMAIL_SIGN_IN_LINKS_PER_CLIENT", "20"))
