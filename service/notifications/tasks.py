"""Celery tasks of the outbox: send a chunk of notifications by id, and the minute sweep that re-queues due rows."""

from __future__ import annotations

from celery import shared_task

from service.notifications import outbox

__all__ = ["notification_sweep", "notifications_send"]


@shared_task(name=outbox.SEND_TASK, ignore_result=True)
def notifications_send(notification_ids: list[str]) -> dict[str, int]:
    """Send a few notifications; each is claimed on its own, so a chunk run twice sends nothing twice."""
    return outbox.notifications_send(notification_ids=notification_ids)


@shared_task(name="service.notifications.tasks.notification_sweep", ignore_result=True)
def notification_sweep() -> int:
    """Queue due retries and rows whose worker died mid-send."""
    return outbox.notifications_requeue_due()
