"""Settings for the test suite: fast hashing, local mail, private webhook URLs allowed."""

from config.settings.base import *  # noqa: F403
from config.settings.base import FIELD_ENCRYPTION_KEYS, SECRET_KEY, VAR_DIR

if not SECRET_KEY:
    SECRET_KEY = "test-only-not-secret"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOW_PRIVATE_WEBHOOK_URLS = True
VAR_DIR.mkdir(exist_ok=True)

from config.settings.base import DATABASES  # noqa: E402

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not memory, so that a real worker process in the tests sees the same database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-sessionguard.sqlite3")}
if not FIELD_ENCRYPTION_KEYS:
    FIELD_ENCRYPTION_KEYS = [f"test-only:{SECRET_KEY}"]
# Most tests sign in with `force_login` or `login()`, which pass no request; the throttling tests turn it on.
AXES_ENABLED = False
