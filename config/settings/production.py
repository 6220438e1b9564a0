"""Settings for a deployment: a real secret, HTTPS (HSTS, secure cookies, redirect), and loud console senders."""

import logging

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *  # noqa: F403
from config.settings.base import CONSOLE_SENDERS, DEBUG, FIELD_ENCRYPTION_KEYS, SECRET_KEY, SECURE_SSL_REDIRECT_FROM_ENV

if not SECRET_KEY and not DEBUG:
    raise ImproperlyConfigured("Environment variable SECRET_KEY is required outside debug")
if not FIELD_ENCRYPTION_KEYS:
    raise ImproperlyConfigured(
        "Environment variable FIELD_ENCRYPTION_KEY is required in production: a secret of 32 characters or more"
    )

SECURE_SSL_REDIRECT = True if SECURE_SSL_REDIRECT_FROM_ENV is None else SECURE_SSL_REDIRECT_FROM_ENV
# Container and load-balancer health checks call /health/ over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^health/$", r"^metrics$"]
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Joining the browsers' preload list is a decision for the domain's owner, not this service's default.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Messages that only print are lost in a deployment: say so at every start (and /health/ says it too).
if CONSOLE_SENDERS and not DEBUG:
    logging.getLogger("sessionguard.config").warning(
        "%s only printed to the console, never delivered: set %s",
        " and ".join(name.upper() for name in CONSOLE_SENDERS),
        " and ".join({"email": "EMAIL_URL", "sms": "SMS_BACKEND"}[n] for n in CONSOLE_SENDERS),
    )
