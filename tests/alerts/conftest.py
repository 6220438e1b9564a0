"""In-process SMS, a real SMTP server on demand, rate limits off unless a test turns them on."""

from tests.questionnaires.fixtures import _quiet_outside_world, smtp_server  # noqa: F401
