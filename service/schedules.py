"""Periodic work, written out in code and installed into django-celery-beat's tables after migrate."""

from __future__ import annotations

from typing import Any

# name -> (task, every N seconds), filled by each app's ready(). Time-based sending is a short sweep
# over due rows, never a long ETA.
PERIODIC_TASKS: dict[str, tuple[str, int]] = {}


def register_periodic_task(name: str, task: str, every_seconds: int) -> None:
    """Add one schedule to PERIODIC_TASKS (apps call this from their ready())."""
    PERIODIC_TASKS[name] = (task, every_seconds)


def install_periodic_tasks(**kwargs: Any) -> None:
    """Create or update the beat schedule rows; safe to run on every migrate."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    for name, (task, seconds) in PERIODIC_TASKS.items():
        interval, _ = IntervalSchedule.objects.get_or_create(every=seconds, period=IntervalSchedule.SECONDS)
        PeriodicTask.objects.update_or_create(name=name, defaults={"task": task, "interval": interval, "enabled": True})
