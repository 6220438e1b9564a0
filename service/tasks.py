"""Celery tasks of the service app: thin wrappers that fetch by id and call a service."""

from __future__ import annotations

import socket

from celery import shared_task
from django.utils import timezone

from service.models import WorkerHeartbeat


@shared_task(name="service.tasks.worker_heartbeat", ignore_result=True)
def worker_heartbeat() -> None:
    """Record that a worker is alive; beat queues this, so it proves broker, beat and worker together."""
    WorkerHeartbeat.objects.update_or_create(hostname=socket.gethostname(), defaults={"seen_at": timezone.now()})


@shared_task(name="service.tasks.ping", ignore_result=False)
def ping(value: str) -> str:
    """Echo a value; the tests use it to prove a real worker runs tasks from the broker."""
    WorkerHeartbeat.objects.update_or_create(hostname=f"ping:{value}", defaults={"seen_at": timezone.now()})
    return value


@shared_task(name="service.tasks.data_retention_purge", ignore_result=True)
def data_retention_purge() -> None:
    """Daily: clear answers, message bodies and platform deliveries older than each clinic's retention."""
    from service.retention import data_purge

    data_purge()


@shared_task(name="service.tasks.flags_escalation_sweep", ignore_result=True)
def flags_escalation_sweep() -> int:
    """Every minute: escalate the flags nobody acknowledged in their clinic's time (each at most once)."""
    from service.escalation import flags_escalate_due

    return flags_escalate_due()
