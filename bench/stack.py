"""The real stack on loopback for the benchmarks: PostgreSQL, Redis, gunicorn and Celery workers."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / "var"
PY = sys.executable
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sessionguard_bench")
BROKER_URL = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/14")


def env(**extra: str) -> dict[str, str]:
    values = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.bench",
        "DATABASE_URL": DATABASE_URL,
        "CELERY_BROKER_URL": BROKER_URL,
        "EMAIL_URL": "consolemail://",
        "SMS_BACKEND": "console",
        "SITE_URL": "http://127.0.0.1:8000",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    values.update(extra)
    return values


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answered on port {port}")


def prepare_database() -> None:
    """Create the bench database when missing and migrate it."""
    import psycopg

    name = DATABASE_URL.rsplit("/", 1)[1]
    admin_url = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.run([PY, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, env=env(), check=True)


def flush_broker() -> None:
    import redis

    redis.Redis.from_url(BROKER_URL).flushdb()


@contextmanager
def gunicorn(workers: int = 3):
    port = free_port()
    LOGS.mkdir(exist_ok=True)
    log = (LOGS / "bench-gunicorn.log").open("wb")
    process = subprocess.Popen(
        # As the image runs it (Dockerfile): the production gunicorn settings, three sync workers.
        [
            PY,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--config",
            "python:config.gunicorn",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
        ],
        cwd=ROOT,
        env=env(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        log.close()


@contextmanager
def celery_worker(concurrency: int = 2, pool: str = "prefork", **extra_env: str):
    LOGS.mkdir(exist_ok=True)
    log = (LOGS / "bench-worker.log").open("wb")
    process = subprocess.Popen(
        [
            PY, "-m", "celery", "-A", "config", "worker", "--loglevel=INFO", f"--concurrency={concurrency}",
            f"--pool={pool}", "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", "bench@%h",
        ],
        cwd=ROOT, env=env(**extra_env), stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        log_path = LOGS / "bench-worker.log"
        deadline = time.monotonic() + 60
        while b"ready." not in log_path.read_bytes():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the bench worker did not start; see var/bench-worker.log")
            time.sleep(0.1)
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
