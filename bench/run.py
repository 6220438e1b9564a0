"""`make bench`: measure the service against the floor of its own stack, and write bench/results.{json,md}.

Every figure is a median of several rounds; each ratio pairs the measured endpoint with its floor in
the same round, so the numbers hold on a noisy machine.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import stack  # noqa: E402

os.environ.update(
    {
        k: v
        for k, v in stack.env().items()
        if k not in os.environ or k in ("DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE")
    }
)

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    print("wrk is missing: installing Debian's wrk", flush=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)


def machine() -> dict[str, object]:
    cpu = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [
            line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines() if line.startswith("model name")
        ]
        cpu = names[0] if names else ""
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "system": platform.platform(),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def paired(base_url: str, floor_script: str, endpoint_script_for, *, p99_target_ms: float, ratio_target: float) -> dict:
    """Saturating throughput of endpoint and floor in each round, then p99 at half the endpoint's rate."""
    from bench import wrk

    rounds = []
    # Warm-up: gunicorn's workers import and connect lazily; the first seconds are not the steady state.
    wrk.run(base_url, floor_script, seconds=2, connections=CONNECTIONS)
    wrk.run(base_url, endpoint_script_for(None), seconds=2, connections=CONNECTIONS)
    for index in range(ROUNDS):
        order = ("floor", "endpoint") if index % 2 == 0 else ("endpoint", "floor")
        got = {}
        for name in order:
            script = floor_script if name == "floor" else endpoint_script_for(None)
            got[name] = wrk.run(base_url, script, seconds=SECONDS, connections=CONNECTIONS)
        half_rate = got["endpoint"]["rps"] / 2
        paced = paced_run(base_url, endpoint_script_for, half_rate)
        rounds.append(
            {
                "floor_rps": got["floor"]["rps"],
                "endpoint_rps": got["endpoint"]["rps"],
                "ratio": round(got["endpoint"]["rps"] / got["floor"]["rps"], 3),
                "half_rate_target_rps": round(half_rate, 1),
                "half_rate_achieved_rps": paced["rps"],
                "half_rate_p99_ms": paced["p99_ms"],
                "saturated_p99_ms": got["endpoint"]["p99_ms"],
                "failures": got["endpoint"]["non_2xx"] + got["floor"]["non_2xx"] + paced["non_2xx"],
            }
        )
        print(f"  round {index + 1}: {rounds[-1]}", flush=True)
    ratio = statistics.median(r["ratio"] for r in rounds)
    p99 = statistics.median(r["half_rate_p99_ms"] for r in rounds)
    failures = sum(r["failures"] for r in rounds)
    if failures:
        # A figure made of error answers measures nothing: say so instead of reporting it.
        print(f"  WARNING: {failures} answers were not 2xx; see var/bench-gunicorn.log", flush=True)
    return {
        "failures": failures,
        "ratio_to_floor": ratio,
        "endpoint_rps": statistics.median(r["endpoint_rps"] for r in rounds),
        "floor_rps": statistics.median(r["floor_rps"] for r in rounds),
        "p99_ms_at_half_rate": p99,
        "targets": {"ratio_to_floor": ratio_target, "p99_ms_at_half_rate": p99_target_ms},
        "met": not failures and ratio >= ratio_target and p99 <= p99_target_ms,
        "rounds": rounds,
    }


def paced_run(base_url: str, script_for, rate: float, connections: int = 4) -> dict:
    """About `rate` requests/s. wrk waits `delay()` ms after each answer, so the gap is shortened by the
    answer time measured at light load in a short probe (not at saturation, where queueing inflates it)."""
    from bench import wrk

    gap_ms = connections / rate * 1000
    probe = wrk.run(base_url, script_for(gap_ms), seconds=2, connections=connections)
    return wrk.run(base_url, script_for(max(gap_ms - probe["p50_ms"], 0.1)), seconds=SECONDS, connections=connections)


def bench_screening(base_url: str, fixtures: dict) -> dict:
    from bench import wrk

    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {fixtures['api_key']}"}
    floor_bodies = [json.dumps({"name": f"row {i}", "value": i % 10}) for i in range(50)]
    bodies = fixtures["screening_bodies"]
    floor = wrk.lua_post("/bench/floor", headers, floor_bodies)
    return paired(
        base_url,
        floor,
        lambda interval: wrk.lua_post("/api/v1/screenings", headers, bodies, interval),
        p99_target_ms=25,
        ratio_target=0.6,
    )


def bench_webhook(base_url: str, fixtures: dict) -> dict:
    from bench import wrk
    from bench.fixtures import calcom_requests

    integration = fixtures["integration"]
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {fixtures['api_key']}"}
    floor = wrk.lua_post(
        "/bench/floor", headers, [json.dumps({"name": f"row {i}", "value": i % 10}) for i in range(50)]
    )
    path = f"/hooks/calcom/{integration.id}/"

    def script(interval_ms: float | None) -> str:
        text = wrk.lua_post_signed(path, calcom_requests(integration, 4000))
        if interval_ms is not None:
            text = text.replace('tonumber(os.getenv("WRK_INTERVAL_MS") or "")', f"{interval_ms:.3f}")
        return text

    result = paired(base_url, floor, script, p99_target_ms=15, ratio_target=0.8)
    stack.flush_broker()  # the processing tasks queued by the bench are not part of it
    return result


def write_results(results: dict) -> None:
    out = ROOT / "bench"
    (out / "results.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    from bench.report import markdown

    (out / "results.md").write_text(markdown(results))
    print((out / "results.md").read_text())


def main() -> int:
    ensure_wrk()
    stack.prepare_database()
    import django

    django.setup()
    from bench import engine
    from bench import fixtures as fixture_module

    results: dict[str, object] = {"machine": machine()}
    print("1. rule engine", flush=True)
    results["rule_engine"] = engine.run(rounds=ROUNDS)
    fixtures = fixture_module.create()
    with stack.gunicorn() as base_url:
        print("2. screening endpoint against the floor", flush=True)
        results["screening_endpoint"] = bench_screening(base_url, fixtures)
        print("3. inbound webhook against the floor", flush=True)
        results["inbound_webhook"] = bench_webhook(base_url, fixtures)
    if os.environ.get("BENCH_SKIP_WORKER") != "1":  # a quicker run while working on the HTTP figures
        from bench import sweep

        print("4. questionnaire sweep against no-op tasks", flush=True)
        results["questionnaire_sweep"] = sweep.run(rounds=min(ROUNDS, 3))
        print("5. worker memory over 100,000 sends", flush=True)
        results["worker_memory"] = sweep.memory(sends=int(os.environ.get("BENCH_SENDS", "100000")))
    from bench import analytics

    print("6. clinic analytics over 1,000,000 completed sessions", flush=True)
    results["analytics"] = analytics.run()
    results["notes"] = profile_misses(results, fixtures)
    write_results(results)
    return 0


def profile_misses(results: dict, fixtures: dict) -> list[str]:
    """For each missed HTTP target, a profile of where the time goes (issue 6 asks for one)."""
    from bench.fixtures import calcom_requests
    from bench.profile import profile_requests

    notes = []
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {fixtures['api_key']}"}
    if not results["screening_endpoint"]["met"]:
        summary = profile_requests(
            "/api/v1/screenings",
            [(headers, body) for body in fixtures["screening_bodies"]],
            ROOT / "bench" / "profile-screening.txt",
        )
        notes.append(f"- Screening endpoint: {summary}.")
    if not results["inbound_webhook"]["met"]:
        integration = fixtures["integration"]
        summary = profile_requests(
            f"/hooks/calcom/{integration.id}/",
            calcom_requests(integration, 200),
            ROOT / "bench" / "profile-webhook.txt",
        )
        notes.append(f"- Inbound webhook: {summary}.")
    return notes


if __name__ == "__main__":
    sys.exit(main())
