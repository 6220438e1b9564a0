"""Rule engine throughput: decisions per second on one core over varied, realistic answer sets."""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import time

from service.screening.engine import AggravationFlag, History, ScreeningContext, screen
from service.screening.policy import ClinicPolicy

NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)


def answer_sets(count: int, seed: int = 7) -> list[ScreeningContext]:
    """Contexts shaped like real bookings: most clients mild, some flaring, a few with red flags."""
    rng = random.Random(seed)
    policies = [ClinicPolicy(emergency_region=r) for r in ("uk", "us", "generic")]
    contexts = []
    for _ in range(count):
        answers: dict[str, object] = {"has_sciatica": rng.random() < 0.8}
        if answers["has_sciatica"]:
            answers["pain_below_knee"] = rng.random() < 0.5
            answers["numbness_or_tingling"] = rng.random() < 0.4
        answers["leg_pain_now"] = rng.randint(0, 8)
        answers["back_pain_now"] = rng.randint(0, 8)
        answers["worst_pain_24h"] = min(10, int(answers["leg_pain_now"]) + rng.randint(0, 3))
        answers["flare_last_72h"] = rng.random() < 0.15
        answers["episode_weeks"] = rng.randint(0, 30)
        answers["clinician_assessed"] = rng.random() < 0.6
        answers["heavy_lifting_24h"] = rng.random() < 0.1
        answers["prolonged_sitting_24h"] = rng.random() < 0.3
        answers["trauma_recent"] = rng.choices(["none", "minor", "major"], [0.85, 0.12, 0.03])[0]
        for key in ("saddle_numbness", "bladder_change", "leg_weakness_new", "dvt_signs", "fever_or_unwell"):
            answers[key] = rng.random() < 0.02
        answers["osteoporosis_or_steroids"] = rng.random() < 0.08
        answers["blood_thinners"] = rng.random() < 0.07
        answers["cancer_history"] = rng.random() < 0.05
        answers["pregnant"] = rng.random() < 0.04
        history = None
        if rng.random() < 0.1:
            flagged = NOW - dt.timedelta(days=rng.randint(1, 40))
            history = History(
                flagged - dt.timedelta(hours=24), AggravationFlag(flagged, rng.random() < 0.5), None, None
            )
        contexts.append(
            ScreeningContext(
                answers=answers,
                answered_at=NOW,
                session_start=NOW + dt.timedelta(hours=rng.randint(2, 240)),
                service_pressure=rng.choice(["light", "medium", "firm", "deep"]),
                client_age=rng.randint(18, 85),
                therapist_qualifications=rng.choice([frozenset({"sciatica"}), frozenset({"sports"}), None]),
                history=history,
                policy=rng.choice(policies),
            )
        )
    return contexts


def run(rounds: int = 5, count: int = 2000, repeat: int = 10) -> dict[str, object]:
    """Decisions per second, pinned to one core; the median of `rounds`.

    The pin is undone before returning: the servers and load generator the later figures start
    inherit this process's cores (until 2026-11-25 they inherited the pin, and every HTTP, sweep and
    memory figure was measured with one core for gunicorn, wrk and Celery).
    """
    if not hasattr(os, "sched_setaffinity"):
        return _run(rounds, count, repeat)
    cores = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(cores)})
    try:
        return _run(rounds, count, repeat)
    finally:
        os.sched_setaffinity(0, cores)


def _run(rounds: int, count: int, repeat: int) -> dict[str, object]:
    contexts = answer_sets(count)
    for context in contexts[:200]:
        screen(context)  # warm-up
    rates = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(repeat):
            for context in contexts:
                screen(context)
        rates.append(count * repeat / (time.perf_counter() - started))
    outcomes: dict[str, int] = {}
    for context in contexts:
        outcome = screen(context).outcome
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return {
        "decisions_per_second": round(statistics.median(rates)),
        "rounds": [round(r) for r in rates],
        "answer_sets": count,
        "outcome_mix": outcomes,
        "target": 20000,
        "met": statistics.median(rates) >= 20000,
    }
