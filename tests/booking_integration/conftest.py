"""Fixtures for the integration tests: integrations per platform, signers, posting to /hooks/."""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import Client as DjangoClient
from standardwebhooks.webhooks import Webhook

from booking_integration.models import Integration
from config.celery_app import app as celery_app

SECRETS = {
    "calcom": "cal-webhook-secret",
    "calendly": "calendly-signing-key",
    "acuity": "",
    "square": "square-signature-key",
    "mindbody": "mindbody-signature-key",
    "standard": "whsec_" + base64.b64encode(b"sessionguard-test-signing-key-32b").decode(),
}
ACUITY_API_KEY = "acuity-api-key-123"
SQUARE_NOTIFICATION_URL = "https://sessionguard.example/hooks/square/"
ANSWER_MAP = {
    "Do you have pain running down your leg right now?": "has_sciatica",
    "Pain today, 0 to 10": "leg_pain_now",
    "Any new trouble controlling your bladder or bowels?": "bladder_change",
}


def _b64_hmac(key: str, message: bytes) -> str:
    return base64.b64encode(hmac.new(key.encode(), message, hashlib.sha256).digest()).decode()


def sign(platform: str, body: bytes, *, secret: str | None = None, at: float | None = None, msg_id: str = "") -> dict:
    """The headers the platform would send with `body`."""
    secret = SECRETS[platform] if secret is None else secret
    at = time.time() if at is None else at
    if platform == "calcom":
        return {"X-Cal-Signature-256": hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()}
    if platform == "calendly":
        t = str(int(at))
        digest = hmac.new(secret.encode(), t.encode() + b"." + body, hashlib.sha256).hexdigest()
        return {"Calendly-Webhook-Signature": f"t={t},v1={digest}"}
    if platform == "acuity":
        return {"X-Acuity-Signature": _b64_hmac(secret or ACUITY_API_KEY, body)}
    if platform == "square":
        return {"x-square-hmacsha256-signature": _b64_hmac(secret, SQUARE_NOTIFICATION_URL.encode() + body)}
    if platform == "mindbody":
        return {"X-Mindbody-Signature": "sha256=" + _b64_hmac(secret, body)}
    if platform == "standard":
        msg_id = msg_id or "msg_" + hashlib.sha256(body).hexdigest()[:20]
        signature = Webhook(secret).sign(msg_id, datetime.fromtimestamp(at, tz=UTC), body.decode())
        return {"webhook-id": msg_id, "webhook-timestamp": str(int(at)), "webhook-signature": signature}
    raise KeyError(platform)


@pytest.fixture
def make_integration(clinic) -> Callable[..., Integration]:
    """An integration of Harbour for `platform`, with the test secret and answer map."""

    def make(platform: str, *, clinic_=None, **settings: Any) -> Integration:
        options: dict[str, Any] = {"answer_map": ANSWER_MAP}
        if platform == "acuity":
            options.update(api_user="123456", api_key=ACUITY_API_KEY)
        if platform == "square":
            options.update(notification_url=SQUARE_NOTIFICATION_URL, api_key="square-access-token")
        options.update(settings)
        return Integration.objects.create(
            clinic=clinic_ or clinic, platform=platform, signing_secret=SECRETS[platform], settings=options
        )

    return make


CONTENT_TYPES = {"acuity": "application/x-www-form-urlencoded"}


def hook_url(integration: Integration) -> str:
    return f"/hooks/{integration.platform}/{integration.id}/"


@pytest.fixture
def post_hook(django_capture_on_commit_callbacks) -> Callable[..., Any]:
    """POST a body to the integration's webhook URL, running what it queues on commit."""
    web = DjangoClient()

    def post(integration: Integration, body: bytes, headers: dict[str, str] | None = None, **kwargs: Any):
        content_type = kwargs.pop("content_type", CONTENT_TYPES.get(integration.platform, "application/json"))
        if headers is None:
            headers = sign(integration.platform, body)
        with django_capture_on_commit_callbacks(execute=True):
            return web.post(hook_url(integration), data=body, content_type=content_type, headers=headers, **kwargs)

    return post


@pytest.fixture
def inline_tasks() -> Iterator[None]:
    """Run queued Celery tasks in the test process (no worker), errors raised."""
    saved = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = saved


class Receiver:
    """A booking system's webhook receiver on 127.0.0.1 that checks our signatures with standardwebhooks.

    `statuses` are answered in turn (then 200). With `block_first`, the first request waits until
    `release` is set: the test kills the worker that sent it meanwhile.
    """

    def __init__(self, statuses: list[int] | None = None, *, block_first: bool = False, body: bytes = b"ok") -> None:
        self.secret = ""
        self.statuses = list(statuses or [])
        self.body = body
        self.block_first = block_first
        self.entered = threading.Event()
        self.release = threading.Event()
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._server.block_on_close = False
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/sessionguard/events"

    def stop(self) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()

    def verified(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["verified"]]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    Webhook(receiver.secret).verify(body, headers)
                    verified = True
                except Exception:
                    verified = False
                with receiver._lock:
                    first = not receiver.requests
                    receiver.requests.append({"headers": headers, "body": body, "verified": verified})
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                if first and receiver.block_first:
                    receiver.entered.set()
                    receiver.release.wait(timeout=120)
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", str(len(receiver.body)))
                    self.end_headers()
                    self.wfile.write(receiver.body)
                except OSError:
                    pass  # the sender is gone (killed worker)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


@pytest.fixture
def receiver_factory() -> Iterator[Callable[..., Receiver]]:
    started: list[Receiver] = []

    def start(*args: Any, **kwargs: Any) -> Receiver:
        receiver = Receiver(*args, **kwargs)
        started.append(receiver)
        return receiver

    yield start
    for receiver in started:
        receiver.stop()
