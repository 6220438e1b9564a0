"""Queueing Celery work: after the transaction that made it commits, never lost to a broker outage.

`Task` is the Celery app's task class (pretix's TransactionAwareTask in spirit, on Celery's own
DjangoTask): publishing never raises into the code that asked for it. The row that needs the work
is already stored, and each kind of work has a sweep that queues what was not, so a broker that is
down costs a delay, not a send.

Services name the task they want (`enqueue("booking_integration.tasks.process_inbound_delivery",
id)`) instead of importing it, so a service module never imports its own tasks module.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from celery import current_app
from celery.contrib.django.task import DjangoTask
from django.db import transaction
from django.http import HttpResponse

logger = logging.getLogger("sessionguard.queueing")

__all__ = ["Task", "enqueue", "held_until_answered", "send_after"]


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


# Set inside `held_until_answered()`: publishes wait there until the HTTP answer has been sent.
_held: ContextVar[list[Callable[[], Any]] | None] = ContextVar("held_publishes", default=None)


def enqueue(task_name: str, *args: Any, countdown: int | None = None) -> None:
    """Queue a task by name once the current transaction commits (at once when none is open)."""
    task = _task(task_name)
    options = {"countdown": countdown} if countdown else {}
    transaction.on_commit(functools.partial(_publish, task, args, options))


def _publish(task: Task, args: tuple[Any, ...], options: dict[str, Any]) -> None:
    held = _held.get()
    if held is None:
        task.apply_async(args, **options)
    else:
        held.append(functools.partial(task.apply_async, args, **options))


@contextmanager
def held_until_answered() -> Iterator[list[Callable[[], Any]]]:
    """Hold the publishes asked for inside; the caller sends them once its answer is out (`send_after`).

    For the webhook endpoint: the platform's 202 means the delivery is stored, so it need not wait
    for the broker (a publish is about a fifth of that request, and a broker that is slow or down
    would hold every platform's call). A process that dies before sending leaves the delivery to
    its sweep, as a broker outage does.
    """
    held: list[Callable[[], Any]] = []
    token = _held.set(held)
    try:
        yield held
    except BaseException:
        _held.reset(token)
        _send(held)  # no answer will carry them out: now
        raise
    _held.reset(token)


def send_after(response: HttpResponse, held: list[Callable[[], Any]]) -> HttpResponse:
    """Send `held` when the server closes `response`, which a WSGI server does after writing it."""
    if held:
        response.close = functools.partial(_close_then_send, response.close, held)  # type: ignore[method-assign]
    return response


def _close_then_send(close: Callable[[], None], held: list[Callable[[], Any]]) -> None:
    try:
        close()
    finally:
        _send(held)


def _send(held: list[Callable[[], Any]]) -> None:
    for publish in held:
        publish()  # Task.apply_async logs a broker that is down instead of raising
    held.clear()


def _task(name: str) -> Task:
    try:
        return current_app.tasks[name]
    except KeyError:
        # A web process discovers the tasks modules on first use (a worker does at start).
        current_app.loader.import_default_modules()
        return current_app.tasks[name]
