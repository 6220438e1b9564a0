"""Queueing Celery work: after the transaction that made it commits, never lost to a broker outage.

`Task` is the Celery app's task class (pretix's TransactionAwareTask in spirit, on Celery's own
DjangoTask): publishing never raises into the code that asked for it. The row that needs the work
is already stored, and each kind of work has a sweep that queues what was not, so a broker that is
down costs a delay, not a send.

Services name the task they want (`enqueue("booking_integration.tasks.process_inbound_delivery",
id)`) instead of importing it, so a service module never imports its own tasks module.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import current_app
from celery.contrib.django.task import DjangoTask

logger = logging.getLogger("sessionguard.queueing")

__all__ = ["Task", "enqueue"]


class Task(DjangoTask):
    def apply_async(self, args: Any = None, kwargs: Any = None, **options: Any) -> Any:
        if self.app.conf.task_always_eager:
            return super().apply_async(args, kwargs, **options)  # runs here: its errors are the test's
        # No publish retries: the caller (a platform awaiting its answer, a sweep) must not hang.
        options.setdefault("retry", False)
        try:
            return super().apply_async(args, kwargs, **options)
        except Exception as exc:  # the broker's error types depend on the transport
            logger.warning("could not queue %s (%s); its sweep will", self.name, type(exc).__name__)
            return None


def enqueue(task_name: str, *args: Any, countdown: int | None = None) -> None:
    """Queue a task by name once the current transaction commits (at once when none is open)."""
    task = _task(task_name)
    options = {"countdown": countdown} if countdown else {}
    task.apply_async_on_commit(args, **options)


def _task(name: str) -> Task:
    try:
        return current_app.tasks[name]
    except KeyError:
        # A web process discovers the tasks modules on first use (a worker does at start).
        current_app.loader.import_default_modules()
        return current_app.tasks[name]
