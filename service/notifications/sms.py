"""SMS backends behind one small interface: console (default), twilio, and memory for tests."""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.conf import settings

from service import http_client
from service.exceptions import TransportError
from service.notifications.transports import Transport

if TYPE_CHECKING:
    from service.models import Notification
    from service.notifications.render import Rendered

logger = logging.getLogger("sessionguard.sms")

__all__ = ["SmsBackend", "SmsTransport", "get_sms_backend", "memory_outbox"]


class SmsBackend(ABC):
    """Send one text message; return the provider's message id (or "" when it has none)."""

    name = "base"

    @abstractmethod
    def send(self, *, to: str, body: str, reference: str) -> str: ...


class ConsoleSmsBackend(SmsBackend):
    """For a single machine: prints the message, as Django's console email backend does."""

    name = "console"

    def send(self, *, to: str, body: str, reference: str) -> str:
        sys.stdout.write(f"--- SMS {reference} to {to}\n{body}\n---\n")
        sys.stdout.flush()
        return reference


@dataclass(frozen=True)
class SentSms:
    to: str
    body: str
    reference: str


_memory: list[SentSms] = []
_memory_lock = threading.Lock()


def memory_outbox() -> list[SentSms]:
    """What the memory backend has sent in this process (tests read and clear it)."""
    return _memory


class MemorySmsBackend(SmsBackend):
    name = "memory"

    def send(self, *, to: str, body: str, reference: str) -> str:
        with _memory_lock:
            _memory.append(SentSms(to=to, body=body, reference=reference))
        return reference


class TwilioSmsBackend(SmsBackend):
    """Twilio's Messages REST API, through the one outgoing HTTP wrapper (TWILIO_API_BASE for tests)."""

    name = "twilio"

    def send(self, *, to: str, body: str, reference: str) -> str:
        sid = settings.TWILIO_ACCOUNT_SID
        url = f"{settings.TWILIO_API_BASE.rstrip('/')}/2010-04-01/Accounts/{sid}/Messages.json"
        content = urlencode({"To": to, "From": settings.TWILIO_FROM_NUMBER, "Body": body}).encode()
        try:
            result = http_client.request(
                "POST",
                url,
                content=content,
                headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
                auth=(sid, settings.TWILIO_AUTH_TOKEN),
                timeout=15.0,
            )
        except http_client.HttpError as exc:
            raise TransportError(f"twilio: {exc.message}", permanent=exc.permanent) from None
        if result.ok:
            try:
                return str(result.json().get("sid", ""))
            except ValueError:
                return ""
        # 429 and 5xx may pass; any other 4xx (bad number, unsubscribed recipient) will not.
        permanent = 400 <= result.status_code < 500 and result.status_code != 429
        code = ""
        with contextlib.suppress(ValueError, AttributeError):
            code = str(result.json().get("code", ""))
        raise TransportError(f"twilio answered {result.status_code} {code}".strip(), permanent=permanent)


_BACKENDS: dict[str, type[SmsBackend]] = {
    "console": ConsoleSmsBackend,
    "twilio": TwilioSmsBackend,
    "memory": MemorySmsBackend,
}


def get_sms_backend(name: str | None = None) -> SmsBackend:
    """The backend named by SMS_BACKEND (or `name`)."""
    return _BACKENDS[name or settings.SMS_BACKEND]()


class SmsTransport(Transport):
    """Text messages through the backend SMS_BACKEND names."""

    renders_as = "text"

    def send(self, notification: Notification, rendered: Rendered) -> str:
        return get_sms_backend().send(to=notification.recipient, body=rendered.text, reference=str(notification.id))
