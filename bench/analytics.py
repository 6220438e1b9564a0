"""Clinic analytics over 1,000,000 completed sessions: p95 of GET /api/v1/analytics/outcomes' query.

The service keeps one OutcomeFact per session and grouping value and, per clinic, day and value,
their sums (OutcomeDaily), recomputed for a day whenever one of its sessions changes. The analytics
read the sums: two years of one clinic are a few thousand rows, however many sessions. Seeded once
with SQL (the facts as the service writes them, then the daily sums from them).
"""

from __future__ import annotations

import datetime as dt
import statistics
import time

ANALYTICS_CLINIC = "Analytics Bench Clinic"
SESSIONS = 1_000_000
TARGET_P95_MS = 500


def seed(*, sessions: int = SESSIONS) -> str:
    from django.db import connection

    from service.models import Clinic, OutcomeFact

    name = f"{ANALYTICS_CLINIC} ({sessions:,} sessions)"
    clinic = Clinic.objects.filter(name=name).first()
    if clinic is not None and OutcomeFact.objects.filter(clinic=clinic, group="therapist").count() == sessions:
        with connection.cursor() as cursor:
            _sum_days(cursor, clinic.id)
        return str(clinic.id)
    if clinic is not None:
        with connection.cursor() as cursor:
            for table in ("service_outcomefact", "service_appointment", "service_client", "service_therapist"):
                cursor.execute(f"DELETE FROM {table} WHERE clinic_id = %s", [clinic.id])  # noqa: S608
        clinic.delete()
    clinic = Clinic.objects.create(name=name, timezone="Europe/London", emergency_region="uk")
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO service_client (id, clinic_id, name, email, phone, contact_channels, language, active,
                created_at, updated_at)
            SELECT gen_random_uuid(), %(clinic)s, 'Client ' || n, '', '', '[]'::jsonb, '', true, now(), now()
            FROM generate_series(1, 1000) AS n
            """,
            {"clinic": clinic.id},
        )
        # Two years of completed sessions, spread over 1,000 clients; the therapist is a key only.
        cursor.execute(
            """
            WITH clients AS (SELECT array_agg(id) AS ids FROM service_client WHERE clinic_id = %(clinic)s)
            INSERT INTO service_appointment (id, clinic_id, client_id, service_name, service_pressure, duration_minutes,
                start, "end", status, booking_answers, booked_against_advice, external_platform, external_id,
                external_reschedule_url, platform_hold, platform_hold_error, created_at, updated_at)
            SELECT gen_random_uuid(), %(clinic)s, clients.ids[1 + n %% 1000], 'Massage',
                   (ARRAY['light', 'medium', 'firm', 'deep'])[1 + n %% 4], 60,
                   now() - (n %% 730 + 1) * interval '1 day', now() - (n %% 730 + 1) * interval '1 day' + interval '1 hour',
                   'completed', '{}'::jsonb, false, '', '', '', '', '', now(), now()
            FROM generate_series(1, %(sessions)s) AS n, clients
            """,
            {"clinic": clinic.id, "sessions": sessions},
        )
        # Per session: therapist, pressure, one or two modifications, one rule; a follow-up answered
        # for two in three, aggravated for one in twelve, improved for one in three.
        cursor.execute(
            """
            INSERT INTO service_outcomefact (clinic_id, appointment_id, day, "group", key, label,
                followup_answered, aggravated, improved)
            SELECT a.clinic_id, a.id, a.start::date, g.grp, g.key, g.key,
                   (h %% 3) <> 0, (h %% 12) = 0, (h %% 3) = 1
            FROM (SELECT id, clinic_id, start, service_pressure, abs(hashtext(id::text)) AS h
                  FROM service_appointment WHERE clinic_id = %(clinic)s) AS a
            CROSS JOIN LATERAL (VALUES
                ('therapist', md5('therapist-' || (a.h %% 12))::uuid::text),
                ('pressure', a.service_pressure),
                ('modification', (ARRAY['none', 'max_pressure_medium', 'side_lying', 'gentle_only'])[1 + a.h %% 4]),
                ('modification', CASE WHEN a.h %% 5 = 0 THEN 'avoid_direct_sciatic_pressure' END),
                ('rule', (ARRAY['none', 'MOD-SCIATIC', 'TIME-FLARE', 'THER-QUALIFIED'])[1 + a.h %% 4])
            ) AS g(grp, key)
            WHERE g.key IS NOT NULL
            """,
            {"clinic": clinic.id},
        )
        _sum_days(cursor, clinic.id)
    return str(clinic.id)


def _sum_days(cursor, clinic_id) -> None:
    """The daily sums the service keeps as sessions change (service/outcomes.py), made in one go."""
    cursor.execute("DELETE FROM service_outcomedaily WHERE clinic_id = %s", [clinic_id])
    cursor.execute(
        """
        INSERT INTO service_outcomedaily (clinic_id, day, "group", key, sessions, followups_answered, aggravated,
            improved)
        SELECT clinic_id, day, "group", key, count(*), count(*) FILTER (WHERE followup_answered),
               count(*) FILTER (WHERE aggravated), count(*) FILTER (WHERE improved)
        FROM service_outcomefact WHERE clinic_id = %s GROUP BY clinic_id, day, "group", key
        """,
        [clinic_id],
    )
    cursor.execute("ANALYZE service_outcomefact; ANALYZE service_outcomedaily;")


def run(*, rounds: int = 20) -> dict:
    """p95 (and median) of the analytics query, per grouping, over a year and over two years."""
    from service.models import Clinic
    from service.outcomes import outcomes_by

    clinic = Clinic.objects.get(pk=seed())
    today = dt.date.today()
    timings: dict[str, list[float]] = {}
    for group in ("therapist", "pressure", "modification", "rule"):
        for days in (365, 730):
            label = f"{group}, {days} days"
            outcomes_by(clinic=clinic, group=group, since=today - dt.timedelta(days=days), until=today)  # warm
            samples = []
            for _ in range(rounds):
                started = time.perf_counter()
                rows = outcomes_by(clinic=clinic, group=group, since=today - dt.timedelta(days=days), until=today)
                samples.append((time.perf_counter() - started) * 1000)
            assert rows, "the bench clinic has no rows"
            timings[label] = samples
    p95 = {label: statistics.quantiles(samples, n=20)[18] for label, samples in timings.items()}
    worst = max(p95.values())
    return {
        "sessions": SESSIONS,
        "p95_ms": {label: round(value, 1) for label, value in p95.items()},
        "median_ms": {label: round(statistics.median(s), 1) for label, s in timings.items()},
        "worst_p95_ms": round(worst, 1),
        "target_p95_ms": TARGET_P95_MS,
        "met": worst <= TARGET_P95_MS,
    }
