"""Settings for `make bench`: production-like (no debug), plus the floor endpoint the ratios compare with."""

from config.settings.base import *  # noqa: F403
from config.settings.base import FIELD_ENCRYPTION_KEYS, INSTALLED_APPS, SECRET_KEY

DEBUG = False
if not SECRET_KEY:
    SECRET_KEY = "bench-only-not-secret"  # noqa: S105
if not FIELD_ENCRYPTION_KEYS:
    FIELD_ENCRYPTION_KEYS = [f"bench-only:{SECRET_KEY}"]
INSTALLED_APPS = [*INSTALLED_APPS, "bench.floor"]
ROOT_URLCONF = "bench.floor.urls"
ALLOW_PRIVATE_WEBHOOK_URLS = True
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
