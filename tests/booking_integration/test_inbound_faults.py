"""Inbound faults with a real worker: the broker is down when a booking platform posts."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import redis
from django.test import Client as DjangoClient
from django.utils import timezone

from booking_integration import inbound
from booking_integration.models import InboundDelivery
from config.celery_app import app as celery_app
from service.models import Appointment, Screening
from tests.booking_integration.conftest import hook_url, sign
from tests.booking_integration.fakeapi import fixture_bytes
from tests.conftest import ROOT, database_url_for_processes, drain_worker, wait_for

pytestmark = pytest.mark.worker


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """A redis-server of this test's own, on a free port, that the test can stop and start."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(self._answers, timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def _answers(self) -> bool:
        try:
            return bool(redis.Redis(port=self.port, socket_connect_timeout=0.2).ping())
        except redis.exceptions.ConnectionError:
            return False


BROKER_KEYS = ("broker_url", "broker_write_url", "broker_read_url")


def _use_broker(urls: dict[str, str | None]) -> None:
    # Publishing reads broker_write_url (filled in from the settings at configure time), and the
    # app caches its connection and producer pools from the first use: set all, drop both pools.
    for key, url in urls.items():
        celery_app.conf[key] = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def private_broker() -> Iterator[PrivateRedis]:
    """This process and the workers it starts use a private redis instead of the suite's broker."""
    server = PrivateRedis()
    server.start()
    saved = {key: celery_app.conf[key] for key in BROKER_KEYS}
    _use_broker(dict.fromkeys(BROKER_KEYS, server.url))
    yield server
    _use_broker(saved)
    server.stop()


def test_broker_down_when_a_delivery_comes_in_acknowledged_then_acted_on_once(
    celery_worker_process, private_broker, make_integration
):
    celery_worker_process(extra_env={"CELERY_BROKER_URL": private_broker.url})
    integration = make_integration("calcom")
    body = fixture_bytes("calcom/booking_created.json")
    private_broker.stop()

    started = time.monotonic()
    response = DjangoClient().post(
        hook_url(integration), data=body, content_type="application/json", headers=sign("calcom", body)
    )

    # Stored and acknowledged although nothing could be queued; the wait is the broker's connect
    # timeout (4 s by default), well inside the platforms' own timeouts.
    assert response.status_code == 202
    assert time.monotonic() - started < 10
    delivery = InboundDelivery.objects.get(pk=response.json()["delivery_id"])
    assert delivery.status == "received"
    assert not Appointment.objects.exists()

    private_broker.start()
    # A minute passes; the sweep (beat, every minute) finds it still `received` and queues it.
    InboundDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert inbound.deliveries_sweep() == 1

    wait_for(lambda: InboundDelivery.objects.get(pk=delivery.pk).status == "processed", timeout=90)
    assert Appointment.objects.filter(external_platform="calcom").count() == 1

    # Another sweep, and the platform's own retry of the same delivery: nothing acts twice.
    assert inbound.deliveries_sweep() == 0
    again = DjangoClient().post(
        hook_url(integration), data=body, content_type="application/json", headers=sign("calcom", body)
    )
    assert again.json()["status"] == "duplicate"
    drain_worker()  # anything the repeat might have queued has run by now
    assert Appointment.objects.count() == 1
    assert Screening.objects.count() == 1


class SilentBroker:
    """A port that accepts connections and never answers: a broker that hangs rather than refuses."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"redis://127.0.0.1:{self.listener.getsockname()[1]}/0"
        self.accepted: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                self.accepted.append(self.listener.accept()[0])
            except OSError:
                return

    def close(self) -> None:
        self.listener.close()
        for conn in self.accepted:
            conn.close()


@pytest.mark.django_db(transaction=True)
def test_the_platform_is_answered_before_the_task_is_queued(make_integration):
    """A broker that hangs holds the publish for its socket timeout (5 s); the 202 does not wait for it."""
    integration = make_integration("calcom")
    broker = SilentBroker()
    port = free_port()
    log_path = ROOT / "var" / f"hook-answer-first-{port}.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url_for_processes(),
        "CELERY_BROKER_URL": broker.url,
    }
    with log_path.open("wb") as log:
        web = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--config", "python:config.gunicorn", "--workers", "1",
             "--bind", f"127.0.0.1:{port}"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            wait_for(lambda: b"Booting worker" in log_path.read_bytes(), timeout=60)
            body = fixture_bytes("calcom/booking_created.json")
            started = time.monotonic()
            response = httpx.post(
                f"http://127.0.0.1:{port}{hook_url(integration)}",
                content=body,
                headers={"Content-Type": "application/json", **sign("calcom", body)},
                timeout=30,
            )
            answered_in = time.monotonic() - started

            assert response.status_code == 202
            assert answered_in < 3, f"the answer waited {answered_in:.1f} s for the broker"
            delivery = InboundDelivery.objects.get(pk=response.json()["delivery_id"])
            assert delivery.status == "received"  # stored; its sweep queues it if this publish is lost
            # The publish was tried after the answer, and failed on the hung broker, logged.
            wait_for(lambda: b"could not queue" in log_path.read_bytes(), timeout=60)
        finally:
            web.terminate()
            web.wait(timeout=30)
            broker.close()
