"""Settings for a single machine (`make run`): debug on, a throwaway secret if none is set."""

from config.settings.base import *  # noqa: F403
from config.settings.base import FIELD_ENCRYPTION_KEYS, SECRET_KEY, VAR_DIR

DEBUG = True
if not SECRET_KEY:
    SECRET_KEY = "local-development-only-not-secret"  # noqa: S105
VAR_DIR.mkdir(exist_ok=True)
if not FIELD_ENCRYPTION_KEYS:
    FIELD_ENCRYPTION_KEYS = [f"local-only:{SECRET_KEY}"]
