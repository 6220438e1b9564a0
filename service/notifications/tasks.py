"""Celery tasks of the outbox: send one notification by id, and the minute sweep that re-queues due rows."""

from __future__ import annotations

from celery import shared_task

from service.notifications import outbox

__all__ = ["notification_send", "notification_sweep", "notifications_send"]


@shared_task(name="service.notifications.tasks.notification_send", ignore_result=True)
def notification_send(notification_id: str) -> str:
    """Send one notification; the row owns its retries (next_attempt_at), so Celery never retries."""
    return outbox.notification_send(notification_id=notification_id)


@shared_task(name="service.notifications.tasks.notifications_send", ignore_result=True)
def notifications_send(notification_ids: list[str]) -> dict[str, int]:
    """Send a few notifications; each is claimed on its own, so a chunk run twice sends nothing twice."""
    return outbox.notifications_send(notification_ids=notification_ids)


@shared_task(name="service.notifications.tasks.notification_sweep", ignore_result=True)
def notification_sweep() -> int:
    """Queue due retries and rows whose worker died mid-send."""
    return outbox.notifications_requeue_due()
