"""Past one machine: two web processes, two workers and beat on one PostgreSQL and one broker.

A burst of bookings through the API, signed platform webhooks (each sent twice, to both web
processes, as a platform's retry would be) and the questionnaires they make due: every booking is
stored once, every delivery is acted on once, and every questionnaire email goes out exactly once.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.utils import timezone

from booking_integration.models import InboundDelivery, Integration
from service.clinics import api_key_create
from service.models import Appointment, Invitation, Notification, WorkerHeartbeat
from service.schedules import install_periodic_tasks
from tests.booking_integration.conftest import SECRETS, sign
from tests.booking_integration.fakeapi import fixture_json
from tests.conftest import ROOT, database_url_for_processes, wait_for
from tests.questionnaires.support import SmtpServer, free_port

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

API_BOOKINGS = 30
WEBHOOK_BOOKINGS = 20


def _env(smtp: SmtpServer) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url_for_processes(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "EMAIL_URL": smtp.url,
        "SITE_URL": "http://127.0.0.1",
        "SMS_BACKEND": "console",
    }


class Process:
    def __init__(self, name: str, args: list[str], env: dict[str, str], ready: bytes) -> None:
        self.log_path = ROOT / "var" / f"scale-{name}-{os.getpid()}-{time.monotonic_ns()}.log"
        self.log = self.log_path.open("wb")
        self.process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        wait_for(lambda: ready in self.log_path.read_bytes(), timeout=60)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                subprocess.run(["pkill", "-KILL", "-P", str(self.process.pid)], check=False)
                self.process.kill()
        self.log.close()

    def output(self) -> str:
        return Path(self.log_path).read_text(errors="replace")


@pytest.fixture
def smtp():
    with SmtpServer() as server:
        yield server


@pytest.fixture
def stack(smtp):
    """Two gunicorn web processes, two workers (two processes each) and beat ticking every second."""
    install_periodic_tasks()
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    every_second, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.exclude(name__in=["data retention purge"]).update(interval=every_second)
    PeriodicTask.objects.filter(name="data retention purge").update(enabled=False)
    env = _env(smtp)
    started: list[Process] = []
    ports = [free_port(), free_port()]
    try:
        for port in ports:
            started.append(
                Process(
                    f"web-{port}",
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "config.wsgi",
                        "--bind",
                        f"127.0.0.1:{port}",
                        "--workers",
                        "2",
                        "--config",
                        "python:config.gunicorn",
                    ],
                    env,
                    b"Booting worker",
                )
            )
        for n in range(2):
            started.append(
                Process(
                    f"worker-{n}",
                    [
                        sys.executable,
                        "-m",
                        "celery",
                        "-A",
                        "config",
                        "worker",
                        "--loglevel=INFO",
                        "--concurrency=2",
                        "--pool=prefork",
                        "--without-gossip",
                        "--without-mingle",
                        "-n",
                        f"scale-{n}-{time.monotonic_ns()}@%h",
                    ],
                    env,
                    b"ready.",
                )
            )
        started.append(
            Process(
                "beat",
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "beat",
                    "--loglevel=INFO",
                    "--scheduler",
                    "django_celery_beat.schedulers:DatabaseScheduler",
                    "--max-interval",
                    "1",
                ],
                env,
                b"beat: Starting",
            )
        )
        yield [f"http://127.0.0.1:{port}" for port in ports], started
    finally:
        for process in reversed(started):
            process.stop()


def _webhook_body(n: int, start: dt.datetime) -> bytes:
    body = fixture_json("calcom/booking_created.json")
    payload = body["payload"]
    payload["uid"] = f"scale-booking-{n}"
    payload["startTime"] = start.isoformat().replace("+00:00", "Z")
    payload["endTime"] = (start + dt.timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    payload["attendees"][0].update(email=f"webhook-client-{n}@example.com", name=f"Webhook Client {n}")
    payload["responses"]["email"]["value"] = f"webhook-client-{n}@example.com"
    return json.dumps(body).encode()


def test_a_burst_across_two_web_processes_and_two_workers_sends_everything_once(clinic, therapist, stack, smtp):
    bases, processes = stack
    _key, raw_key = api_key_create(clinic=clinic, name="scale")
    integration = Integration.objects.create(clinic=clinic, platform="calcom", signing_secret=SECRETS["calcom"],
                                             settings={})  # fmt: skip
    start = (timezone.now() + dt.timedelta(hours=30)).replace(microsecond=0)  # pre-session questionnaires due now

    def book(n: int) -> int:
        body = {
            "client": {"name": f"API Client {n}", "email": f"api-client-{n}@example.com"},
            "therapist_id": str(therapist.id),
            "service": {"name": "Relaxing massage", "pressure": "light", "duration_minutes": 60},
            "start": (start + dt.timedelta(minutes=n)).isoformat(),
            "end": (start + dt.timedelta(minutes=n + 60)).isoformat(),
            "answers": {"has_sciatica": False},
        }
        headers = {"Authorization": f"Bearer {raw_key}", "Idempotency-Key": f"scale-{n}"}
        return httpx.post(f"{bases[n % 2]}/api/v1/appointments", json=body, headers=headers, timeout=30).status_code

    def deliver(n: int, copy: int) -> int:
        body = _webhook_body(n, start + dt.timedelta(hours=2, minutes=n))
        headers = {**sign("calcom", body), "Content-Type": "application/json"}
        url = f"{bases[(n + copy) % 2]}/hooks/calcom/{integration.id}/"
        return httpx.post(url, content=body, headers=headers, timeout=30).status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        booked = list(pool.map(book, range(API_BOOKINGS)))
        delivered = list(
            pool.map(deliver, list(range(WEBHOOK_BOOKINGS)) * 2, [0] * WEBHOOK_BOOKINGS + [1] * WEBHOOK_BOOKINGS)
        )
    assert booked == [201] * API_BOOKINGS
    assert sorted(set(delivered)) <= [200, 202]

    expected = API_BOOKINGS + WEBHOOK_BOOKINGS
    wait_for(lambda: Appointment.objects.filter(clinic=clinic).count() == expected, timeout=60)
    wait_for(lambda: len(smtp.messages) >= expected and not Notification.objects.exclude(status="sent").exists(),
             timeout=120)  # fmt: skip
    # Beat ticks twice more (its heartbeat task every second, here) and nothing more may go out.
    later = timezone.now() + dt.timedelta(seconds=2)
    wait_for(lambda: WorkerHeartbeat.objects.filter(seen_at__gt=later).exists(), timeout=30)

    assert Appointment.objects.filter(clinic=clinic).count() == expected
    statuses = sorted(InboundDelivery.objects.filter(integration=integration).values_list("status", flat=True))
    assert statuses.count("processed") == WEBHOOK_BOOKINGS
    assert statuses.count("duplicate") == WEBHOOK_BOOKINGS
    assert Invitation.objects.filter(appointment__clinic=clinic, kind="pre_session", status="sent").count() == expected
    recipients = [message.rcpt_tos[0] for message in smtp.messages]
    assert len(recipients) == len(set(recipients)) == expected  # each client once
    message_ids = {message.message["Message-ID"] for message in smtp.messages}
    assert len(message_ids) == expected
    assert Notification.objects.filter(clinic=clinic, channel="email", status="sent").count() == expected
    # The work was shared: both workers sent, both web processes answered.
    logs = [process.output() for process in processes]
    assert all("POST /" in log for log in logs[:2])
    assert all("result=sent" in log for log in logs[2:4])
