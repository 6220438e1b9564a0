"""Fixtures shared by the questionnaire, alert and therapist-page tests (imported by their conftest files)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from service.notifications.sms import memory_outbox
from tests.questionnaires.support import SmtpServer


@pytest.fixture(autouse=True)
def _quiet_outside_world(settings) -> Iterator[None]:
    settings.SMS_BACKEND = "memory"
    settings.SITE_URL = "https://clinic.example"
    # The page's own rate-limit test turns this back on; other tests post freely.
    settings.RATELIMIT_ENABLE = False
    memory_outbox().clear()
    yield
    memory_outbox().clear()


@pytest.fixture
def smtp_server(settings) -> Iterator[SmtpServer]:
    """A real SMTP server on loopback; this process sends to it too."""
    with SmtpServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        yield server
