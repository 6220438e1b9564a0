"""Settings shared by every environment; the only module that reads the environment.

Every variable in the README's configuration table has a working default for a single machine.
A malformed value stops start-up with a message that names the variable.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()


def _read(name: str, reader, default):
    """Read one variable, naming it when its value cannot be understood."""
    try:
        return reader(name, default=default)
    except (ValueError, TypeError, KeyError, ImproperlyConfigured) as exc:
        raise ImproperlyConfigured(f"Environment variable {name} is malformed: {exc}") from None


def _bool(name: str, default: bool | None) -> bool | None:
    raw = env.str(name, default="").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"Environment variable {name} is malformed: {raw!r} is not true or false")


def _url(name: str, default: str, schemes: tuple[str, ...]) -> str:
    value = _read(name, env.str, default)
    scheme = urlsplit(value).scheme
    if scheme not in schemes:
        raise ImproperlyConfigured(
            f"Environment variable {name} is malformed: scheme {scheme!r} is not one of {', '.join(schemes)}"
        )
    return value


DEBUG = _bool("DEBUG", False)
SECRET_KEY = _read("SECRET_KEY", env.str, "")
ALLOWED_HOSTS = _read("ALLOWED_HOSTS", env.list, ["localhost", "127.0.0.1", "[::1]"])
PORT = _read("PORT", env.int, 8000)
if not 0 < PORT < 65536:
    raise ImproperlyConfigured(f"Environment variable PORT is malformed: {PORT} is not a port number")
# Links in emails and SMS point here; on one machine it is where `make run` serves.
SITE_URL = _url("SITE_URL", f"http://127.0.0.1:{PORT}", ("http", "https")).rstrip("/")
# Behind an HTTPS proxy: the origins whose forms are trusted, and whether the proxy's
# X-Forwarded-Proto says the request was secure (trust it only when a proxy sets it).
CSRF_TRUSTED_ORIGINS = _read("CSRF_TRUSTED_ORIGINS", env.list, [])
for _origin in CSRF_TRUSTED_ORIGINS:
    if urlsplit(_origin).scheme not in ("http", "https") or not urlsplit(_origin).netloc:
        raise ImproperlyConfigured(
            f"Environment variable CSRF_TRUSTED_ORIGINS is malformed: {_origin!r} is not an origin like https://host"
        )
BEHIND_PROXY = _bool("BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Send plain-HTTP requests to HTTPS: on by default in production (production.py), off on one machine.
SECURE_SSL_REDIRECT_FROM_ENV: bool | None = _bool("SECURE_SSL_REDIRECT", None)
ALLOW_PRIVATE_WEBHOOK_URLS = _bool("ALLOW_PRIVATE_WEBHOOK_URLS", False)
# Stored signing secrets and platform API keys are encrypted with keys derived from these strings; the
# first encrypts, the others still decrypt (rotation). Required in production; on one machine and in
# the tests a key derived from SECRET_KEY stands in (local.py, test.py).
FIELD_ENCRYPTION_KEYS: list[str] = _read("FIELD_ENCRYPTION_KEY", env.list, [])
for _key in FIELD_ENCRYPTION_KEYS:
    if len(_key) < 32:
        raise ImproperlyConfigured(
            "Environment variable FIELD_ENCRYPTION_KEY is malformed: each key (comma-separated) needs 32 characters"
            " or more"
        )

_database_url = _url(
    "DATABASE_URL",
    f"sqlite:///{VAR_DIR / 'sessionguard.sqlite3'}",
    ("sqlite", "postgres", "postgresql", "pgsql", "psql"),
)
try:
    DATABASES = {"default": env.db_url_config(_database_url)}
except (ValueError, ImproperlyConfigured) as exc:
    raise ImproperlyConfigured(f"Environment variable DATABASE_URL is malformed: {exc}") from None
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Web, worker and beat share one file: wait for the write lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
else:
    DATABASES["default"]["CONN_MAX_AGE"] = _read("CONN_MAX_AGE", env.int, 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Server-side binding lets psycopg prepare a statement it has run a few times, so PostgreSQL plans
    # the hot queries (many-table joins of the outbox, the screening path) once per connection.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"server_side_binding": True, "prepare_threshold": 5})

_email_url = _url(
    "EMAIL_URL", "consolemail://", ("consolemail", "smtp", "smtps", "submission", "memorymail", "dummymail")
)
try:
    vars().update(env.email_url_config(_email_url))
except (ValueError, ImproperlyConfigured) as exc:
    raise ImproperlyConfigured(f"Environment variable EMAIL_URL is malformed: {exc}") from None
EMAIL_TIMEOUT = 15
DEFAULT_FROM_EMAIL = _read("DEFAULT_FROM_EMAIL", env.str, "SessionGuard <no-reply@sessionguard.local>")

SMS_BACKEND = _read("SMS_BACKEND", env.str, "console")
if SMS_BACKEND not in ("console", "twilio", "memory"):
    raise ImproperlyConfigured("Environment variable SMS_BACKEND is malformed: use console or twilio")
TWILIO_ACCOUNT_SID = _read("TWILIO_ACCOUNT_SID", env.str, "")
TWILIO_AUTH_TOKEN = _read("TWILIO_AUTH_TOKEN", env.str, "")
TWILIO_FROM_NUMBER = _read("TWILIO_FROM_NUMBER", env.str, "")
TWILIO_API_BASE = _read("TWILIO_API_BASE", env.str, "https://api.twilio.com")
if SMS_BACKEND == "twilio" and not (TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER):
    raise ImproperlyConfigured("SMS_BACKEND=twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER")

CELERY_BROKER_URL = _url(
    "CELERY_BROKER_URL",
    "filesystem://localhost/",
    ("filesystem", "redis", "rediss", "amqp", "pyamqp", "memory"),
)
# Senders that only print (fine on one machine, a loss in a deployment): /health/ and production name them.
CONSOLE_SENDERS = [
    name
    for name, on_console in (
        ("email", vars()["EMAIL_BACKEND"].endswith("console.EmailBackend")),
        ("sms", SMS_BACKEND == "console"),
    )
    if on_console
]
REDIS_URL = _read("REDIS_URL", env.str, CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "django_celery_beat",
    "django_prometheus",
    "phonenumber_field",
    "axes",
    "service",
    "booking_integration",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "service.middleware.no_store_health_data",
    # Last but one: django-axes answers 429 to a sign-in form after repeated failures.
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

# Repeated failed sign-ins (admin and therapist pages) are refused for a while: per user name and address.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "service.client_ip.client_ip"
# Failed API keys: this many a client address may send in the window before it is answered 429.
API_KEY_FAILURE_LIMIT = 20
API_KEY_FAILURE_WINDOW_SECONDS = 300

# Every page loads only from its own origin: scripts, styles, images, forms and frames.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

ROOT_URLCONF = "config.urls"
APPEND_SLASH = False
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
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/therapist/"
PASSWORD_RESET_TIMEOUT = 72 * 60 * 60  # set-password and reset links work once, for 72 hours

LANGUAGE_CODE = "en-gb"
# Client pages, emails and SMS: the client's language, else the clinic's (service/questionnaires/wording.py).
LANGUAGES = [("en", "English"), ("es", "Español")]
# locale/: the pages' and messages' own strings (makemessages); locale_rulepack/: the questions and the
# rule pack's client messages (manage.py rulepack_messages). Both are compiled by `make` (Babel).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_rulepack"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
WHITENOISE_AUTOREFRESH = True

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    )
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["service.api.auth.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["service.api.auth.IsClinic"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["service.api.parsers.SafeJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "service.api.errors.problem_exception_handler",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "UNAUTHENTICATED_USER": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "SessionGuard API",
    "DESCRIPTION": (
        "Screening and follow-up for massage clinics whose clients have sciatica. "
        "It screens, it never diagnoses. Errors are application/problem+json (RFC 9457)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Swagger UI and ReDoc from the package itself: the docs work offline and load nothing from elsewhere.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "service.api.schema.document_problem_responses",
    ],
}

CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 90
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# What a task prints (the console email and SMS backends) is output, not a warning.
CELERY_WORKER_REDIRECT_STDOUTS_LEVEL = "INFO"
# Every task here fetches by id and claims its row before acting, so running one twice is safe:
# acknowledge after the work, and hand the task back when the worker process dies mid-task.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"
if CELERY_BROKER_URL.startswith("filesystem"):
    # A broker that needs no server: messages are files that web, worker and beat share.
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        "control_folder": str(_broker_dir / "control"),
    }
elif CELERY_BROKER_URL.startswith("redis"):
    # Tasks are short; a lost worker's task comes back after this long. A broker that is down must
    # not hold a web request for long: the row is stored first and a sweep queues it later.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 600, "socket_connect_timeout": 1, "socket_timeout": 5}
    CELERY_BROKER_CONNECTION_TIMEOUT = 1
    # kombu's Redis transport with one publishing client per channel (config/broker.py).
    CELERY_BROKER_TRANSPORT = "config.broker:Transport"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_tokens": {"()": "config.log_filters.RedactTokens"},
        "quiet_expected_answers": {"()": "config.log_filters.QuietExpectedAnswers"},
    },
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_tokens"]},
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.request": {"filters": ["quiet_expected_answers"]},
    },
}

# Where the worker records that it is alive; /health/ reads it.
WORKER_HEARTBEAT_MAX_AGE_SECONDS = 180
