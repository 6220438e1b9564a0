"""The questionnaire sweep over a large table, against 10,000 no-op tasks; and the worker's memory over 100,000 sends."""

from __future__ import annotations

import time
import uuid

from bench import stack

SWEEP_CLINIC = "Sweep Bench Clinic"


def seed(*, total: int = 1_000_000, due: int = 10_000, name: str = SWEEP_CLINIC) -> str:
    """`total` invitations (two per appointment), `due` of them due now; made once with SQL, reset after."""
    from django.db import connection

    from service.models import Clinic, Invitation

    name = f"{name} ({total:,} invitations)"  # the size in the name: a later run reuses the table
    clinic = Clinic.objects.filter(name=name).first()
    if clinic is not None and Invitation.objects.filter(clinic=clinic).count() == total:
        reset(clinic_id=str(clinic.id), due=due)
        return str(clinic.id)
    if clinic is not None:
        with connection.cursor() as cursor:
            for table in ("service_notification", "service_invitation", "service_appointment", "service_client"):
                cursor.execute(f"DELETE FROM {table} WHERE clinic_id = %s", [clinic.id])  # noqa: S608
        clinic.delete()
    clinic = Clinic.objects.create(name=name, timezone="Europe/London", emergency_region="uk")
    appointments = total // 2
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO service_client (id, clinic_id, name, email, phone, contact_channels, language, active,
                created_at, updated_at)
            SELECT gen_random_uuid(), %(clinic)s, 'Client ' || n, 'client' || n || '@sweep.example', '',
                   '["email"]'::jsonb, '', true, now(), now()
            FROM generate_series(1, 1000) AS n
            """,
            {"clinic": clinic.id},
        )
        # Appointments: the first `due` start tomorrow (their pre-session questionnaire is due now),
        # a third lie weeks ahead (scheduled), the rest are past (their questionnaires done).
        cursor.execute(
            """
            WITH clients AS (SELECT array_agg(id) AS ids FROM service_client WHERE clinic_id = %(clinic)s)
            INSERT INTO service_appointment (id, clinic_id, client_id, service_name, service_pressure, duration_minutes,
                start, "end", status, booking_answers, booked_against_advice, external_platform, external_id,
                external_reschedule_url, platform_hold, platform_hold_error, created_at, updated_at)
            SELECT gen_random_uuid(), %(clinic)s, clients.ids[1 + n %% 1000],
                   CASE WHEN n <= %(due)s THEN 'due' ELSE 'Remedial massage' END, 'medium', 60,
                   s.start, s.start + interval '1 hour',
                   CASE WHEN s.start < now() THEN 'completed' ELSE 'booked' END,
                   '{}'::jsonb, false, '', '', '', '', '', now(), now()
            FROM generate_series(1, %(appointments)s) AS n, clients,
                 LATERAL (SELECT CASE
                     WHEN n <= %(due)s THEN now() + interval '1 day'
                     WHEN n %% 3 = 0 THEN now() + (n %% 60 + 3) * interval '1 day'
                     ELSE now() - (n %% 700 + 2) * interval '1 day' END AS start) AS s
            """,
            {"clinic": clinic.id, "due": due, "appointments": appointments},
        )
        cursor.execute(
            """
            INSERT INTO service_invitation (id, clinic_id, appointment_id, kind, status, scheduled_for, token_nonce,
                token_hash, sent_at, completed_at, created_at, updated_at)
            SELECT gen_random_uuid(), a.clinic_id, a.id, k.kind,
                   CASE WHEN a.service_name = 'due' AND k.kind = 'pre_session' THEN 'scheduled'
                        WHEN a.start > now() THEN 'scheduled'
                        ELSE 'completed' END,
                   CASE WHEN a.service_name = 'due' AND k.kind = 'pre_session' THEN now() - interval '1 minute'
                        WHEN k.kind = 'pre_session' THEN a.start - interval '48 hours'
                        ELSE a."end" + interval '24 hours' END,
                   '', '',
                   CASE WHEN a.start > now() THEN NULL ELSE a.start - interval '48 hours' END,
                   CASE WHEN a.start > now() THEN NULL ELSE a.start - interval '40 hours' END,
                   now(), now()
            FROM service_appointment a CROSS JOIN (VALUES ('pre_session'), ('post_session')) AS k(kind)
            WHERE a.clinic_id = %(clinic)s
            """,
            {"clinic": clinic.id},
        )
        cursor.execute("ANALYZE service_invitation; ANALYZE service_appointment;")
    return str(clinic.id)


def park(*, clinic_id: str) -> None:
    """Take a clinic's due set out of the sweep (the small table, once its batch has been counted)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE service_invitation SET status = 'completed' WHERE clinic_id = %s AND status = 'scheduled'",
            [clinic_id],
        )


def reset(*, clinic_id: str, due: int) -> None:
    """Put the due set back to due and forget what was sent, so every run measures the same work."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM service_notification WHERE clinic_id = %s", [clinic_id])
        cursor.execute(
            """
            UPDATE service_invitation i SET status = 'scheduled', scheduled_for = now() - interval '1 minute',
                   token_nonce = '', token_hash = '', sent_at = NULL, expires_at = NULL,
                   reminder_due_at = NULL, reminder_sent_at = NULL
            FROM service_appointment a
            WHERE i.appointment_id = a.id AND a.clinic_id = %s AND a.service_name = 'due' AND i.kind = 'pre_session'
            """,
            [clinic_id],
        )
        cursor.execute(
            "UPDATE service_appointment SET start = now() + interval '1 day', \"end\" = now() + interval '25 hours' "
            "WHERE clinic_id = %s AND service_name = 'due'",
            [clinic_id],
        )


def _sent(clinic_id: str) -> int:
    from service.models import Notification

    return Notification.objects.filter(clinic_id=clinic_id, status="sent").count()


def _wait(condition, timeout: float) -> float:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise RuntimeError("timed out waiting for the worker")
        time.sleep(0.2)
    return time.monotonic() - started


def time_sweep(clinic_id: str, due: int) -> float:
    from service.questionnaires.tasks import questionnaire_sweep

    started = time.monotonic()
    questionnaire_sweep.delay()
    _wait(lambda: _sent(clinic_id) >= due, timeout=1800)
    return time.monotonic() - started


def time_noop(count: int) -> float:
    import redis

    from bench.floor.tasks import noop

    key = f"bench:noop:{uuid.uuid4().hex}"
    client = redis.Redis.from_url(stack.BROKER_URL)
    started = time.monotonic()
    for _ in range(count):
        noop.delay(key)
    _wait(lambda: int(client.get(key) or 0) >= count, timeout=900)
    return time.monotonic() - started


def queries_per_batch(clinic_id: str, batch_size: int = 500) -> int:
    """Queries of one send batch (rolled back), whatever the table holds."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from service.questionnaires.scheduling import invitations_send_batch

    with CaptureQueriesContext(connection) as captured, transaction.atomic():
        invitations_send_batch(batch_size=batch_size)
        transaction.set_rollback(True)
    return len(captured.captured_queries)


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its children (a prefork worker and its pool)."""
    from pathlib import Path

    total_kb, stack_of_pids = 0, [pid]
    while stack_of_pids:
        current = stack_of_pids.pop()
        proc = Path(f"/proc/{current}")
        try:
            status = (proc / "status").read_text()
            total_kb += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))
            for task in (proc / "task").iterdir():
                stack_of_pids.extend(int(child) for child in (task / "children").read_text().split())
        except (OSError, StopIteration):
            continue  # the process ended while being read
    return total_kb / 1024


def memory(sends: int = 100_000, due: int = 10_000) -> dict[str, object]:
    """Resident memory of one worker over `sends` sends (the due set sent again and again)."""
    clinic_id = seed(due=due)
    cycles = max(sends // due, 2)
    samples = []
    with stack.celery_worker(concurrency=2) as worker:
        for cycle in range(cycles):
            reset(clinic_id=clinic_id, due=due)
            time_sweep(clinic_id, due)
            samples.append(round(tree_rss_mb(worker.pid), 1))
            print(f"  {(cycle + 1) * due:,} sends: worker RSS {samples[-1]} MB", flush=True)
    warm, end = samples[0], samples[-1]
    growth = (end - warm) / warm * 100
    return {
        "sends": cycles * due,
        "rss_after_warmup_mb": warm,
        "rss_end_mb": end,
        "growth_percent": round(growth, 1),
        "samples_mb": samples,
        "target_growth_percent": 10,
        "met": growth <= 10,
    }


def run(rounds: int, due: int = 10_000, total: int = 1_000_000) -> dict[str, object]:
    import statistics

    # The same batch over a table fifty times smaller: the query count must not change.
    small = seed(total=20_000, due=500)
    small_queries = queries_per_batch(small)
    park(clinic_id=small)
    print(f"   seeding {total:,} invitations (first run only)", flush=True)
    clinic_id = seed(total=total, due=due)
    large_queries = queries_per_batch(clinic_id)
    sweeps, noops = [], []
    with stack.celery_worker(concurrency=2):
        for index in range(rounds):
            reset(clinic_id=clinic_id, due=due)
            stack.flush_broker()
            sweep_seconds = time_sweep(clinic_id, due)
            noop_seconds = time_noop(due)
            sweeps.append(sweep_seconds)
            noops.append(noop_seconds)
            print(f"  round {index + 1}: sweep {sweep_seconds:.1f} s, no-op {noop_seconds:.1f} s", flush=True)
    ratios = [s / n for s, n in zip(sweeps, noops, strict=True)]
    return {
        "invitations": total,
        "due": due,
        "sweep_seconds": statistics.median(sweeps),
        "noop_seconds": statistics.median(noops),
        "ratio": statistics.median(ratios),
        "queries_per_batch": large_queries,
        "queries_per_batch_small": small_queries,
        "target_ratio": 2.0,
        "met": statistics.median(ratios) <= 2.0 and large_queries == small_queries,
        "rounds": [{"sweep_seconds": s, "noop_seconds": n} for s, n in zip(sweeps, noops, strict=True)],
    }
