"""`make run` as a newcomer runs it: the real Makefile, honcho and Procfile, on the port it prints."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import urllib.request
from pathlib import Path

from tests.conftest import ROOT, wait_for


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _newcomer_env(tmp_path: Path, port: int) -> dict[str, str]:
    """No configuration but PORT and a database of the test's own (the default broker needs no server)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "CELERY_", "DJANGO_", "SITE_URL"))}
    env.update({"PORT": str(port), "DATABASE_URL": f"sqlite:///{tmp_path / 'newcomer.sqlite3'}"})
    return env


def _get(url: str, headers: dict[str, str] | None = None) -> int:
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def test_make_run_serves_where_its_banner_says_and_stops_quietly(tmp_path):
    port = _free_port()
    log_path = tmp_path / "make-run.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            ["make", "--no-print-directory", "run"],
            cwd=ROOT, env=_newcomer_env(tmp_path, port), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        try:
            wait_for(lambda: "Listening at" in log_path.read_text(errors="replace"), timeout=120)
            output = log_path.read_text(errors="replace")
            docs_url = re.search(r"Swagger UI:\s+(\S+)", output).group(1)
            curl = re.search(r'curl -s -H "Authorization: Bearer (\S+)" (\S+)', output)

            assert docs_url == f"http://127.0.0.1:{port}/api/docs/"
            assert _get(docs_url) == 200
            assert _get(curl.group(2), {"Authorization": f"Bearer {curl.group(1)}"}) == 200
            wait_for(lambda: "celery@" in log_path.read_text(errors="replace") and "ready." in log_path.read_text())
        finally:
            # Ctrl-C in a terminal: SIGINT to the whole foreground process group.
            os.killpg(process.pid, signal.SIGINT)
            process.wait(timeout=60)

    output = log_path.read_text(errors="replace")
    stopped = output[output.index("SIGINT received") :]
    assert {"web.1 stopped", "worker.1 stopped", "beat.1 stopped"} <= {
        line.split("|")[1].strip().split(" (")[0] for line in stopped.splitlines() if "stopped" in line
    }
    assert "ERROR" not in output, output
    assert "Traceback" not in output, output
    assert "No hostname was supplied" not in output


def test_make_run_on_a_taken_port_says_so_in_one_line_naming_port(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            ["make", "--no-print-directory", "run"],
            cwd=ROOT, env=_newcomer_env(tmp_path, port), capture_output=True, text=True, timeout=120,
        )  # fmt: skip

    assert result.returncode != 0
    message = [line for line in result.stderr.splitlines() if f"PORT {port}" in line]
    assert len(message) == 1, result.stderr
    assert "in use" in message[0]
    assert "Listening at" not in result.stdout
