"""Shared fixtures: personas, authenticated API clients, and a real Celery worker on the test broker."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def clinic(db):
    """Harbour Massage Clinic, in London, with UK emergency wording."""
    from tests.factories import ClinicFactory

    return ClinicFactory()


@pytest.fixture
def other_clinic(db):
    """Northside Wellness: another tenant, which must never see Harbour's data."""
    from tests.factories import ClinicFactory

    return ClinicFactory(name="Northside Wellness", timezone="America/New_York", emergency_region="us")


@pytest.fixture
def therapist(clinic):
    """Sam, Harbour's therapist qualified for sciatica."""
    from tests.factories import TherapistFactory

    return TherapistFactory(clinic=clinic, name="Sam Rivers", email="sam@harbour.example", qualifications=["sciatica"])


@pytest.fixture
def unqualified_therapist(clinic):
    """Jo, Harbour's sports therapist, without the sciatica qualification."""
    from tests.factories import TherapistFactory

    return TherapistFactory(clinic=clinic, name="Jo Patel", email="jo@harbour.example", qualifications=["sports"])


@pytest.fixture
def client_person(clinic):
    """Alex, a Harbour client with sciatica who agreed to email."""
    from tests.factories import ClientFactory

    return ClientFactory(clinic=clinic, name="Alex Morgan", email="alex@example.com")


def _api(raw_key: str | None):
    # Imported here so that pure tests (tests/screening, platforms) can run without Django settings.
    from rest_framework.test import APIClient

    api = APIClient()
    if raw_key:
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    return api


@pytest.fixture
def api(clinic):
    """An API client holding Harbour's key."""
    from tests.factories import api_key_for

    return _api(api_key_for(clinic))


@pytest.fixture
def other_api(other_clinic):
    """An API client holding Northside's key."""
    from tests.factories import api_key_for

    return _api(api_key_for(other_clinic))


@pytest.fixture
def anon_api():
    return _api(None)


def wait_for(condition: Callable[[], object], *, timeout: float = 20.0, interval: float = 0.05) -> object:
    """Poll until `condition()` is truthy; fail the test with a clear message when it never is."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)


def drain_worker(rounds: int = 1) -> None:
    """Wait until the worker has run everything queued before now: a ping queued behind it comes back.

    A worker of concurrency 1 takes tasks in order, so each round proves the queue ahead was run;
    more rounds cover tasks that the drained tasks queued in turn.
    """
    import uuid

    from service.models import WorkerHeartbeat
    from service.tasks import ping

    for _ in range(rounds):
        marker = uuid.uuid4().hex
        ping.delay(marker)
        wait_for(lambda m=marker: WorkerHeartbeat.objects.filter(hostname=f"ping:{m}").exists(), timeout=30)


def database_url_for_processes() -> str:
    """The URL of the test database, for processes started by the tests."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or ""
    auth = f"{user}@" if user else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


class Worker:
    """A real `celery worker` process on the test database and broker."""

    def __init__(self, extra_env: dict[str, str] | None = None, concurrency: int = 1) -> None:
        from django.conf import settings

        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": database_url_for_processes(),
        }
        env["CELERY_BROKER_URL"] = settings.CELERY_BROKER_URL
        env.update(extra_env or {})
        self.log_path = ROOT / "var" / f"test-worker-{os.getpid()}-{time.monotonic_ns()}.log"
        self.log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "config", "worker",
                "--loglevel=INFO", f"--concurrency={concurrency}", "--pool=prefork",
                "--without-gossip", "--without-mingle", "-n", f"test-{time.monotonic_ns()}@%h",
            ],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_for(lambda: b"ready." in self.log_path.read_bytes(), timeout=60)

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """Kill the whole worker (main process and children) at once, as a crash would."""
        subprocess.run(["pkill", "-KILL", "-P", str(self.process.pid)], check=False)
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


@pytest.fixture
def celery_worker_process(transactional_db) -> Iterator[Callable[..., Worker]]:
    """Start real workers on demand (`start(extra_env=...)`); all are stopped after the test."""
    started: list[Worker] = []

    def start(**kwargs) -> Worker:
        worker = Worker(**kwargs)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture(scope="session", autouse=True)
def _clean_broker() -> None:
    """Start each run with an empty broker so that no task from an earlier run is picked up."""
    from django.conf import settings

    url = settings.CELERY_BROKER_URL
    if url.startswith("redis"):
        import redis

        redis.Redis.from_url(url).flushdb()
    elif url.startswith("filesystem"):
        folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
        for path in folder.glob("*"):
            path.unlink(missing_ok=True)


def send_notification(notification_id: object) -> str:
    """Send one row through the path production runs (a chunk of one); what became of it."""
    from service.notifications import outbox

    results = outbox.notifications_send(notification_ids=[notification_id])
    (result,) = results  # a chunk of one has one outcome
    return result


def fresh_address() -> str:
    """A client address no earlier run has used: rate-limit counters live in Redis for their minute.

    IPv6, with the randomness in the /64 that django-ratelimit groups addresses by.
    """
    import secrets

    return f"2001:db8:{secrets.randbelow(0xFFFF):x}:{secrets.randbelow(0xFFFF):x}::1"
