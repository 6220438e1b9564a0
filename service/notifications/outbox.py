"""The outbox: rows made once (by dedupe key), each claimed by one worker, sent, retried with backoff."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from uuid import UUID

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from service.claims import claim
from service.exceptions import TransportError
from service.models import Notification, NotificationStatus
from service.notifications.purposes import get_purpose, related_fields
from service.notifications.render import render_notification
from service.notifications.transports import get_transport
from service.queueing import enqueue

logger = logging.getLogger("sessionguard.notifications")

__all__ = [
    "BACKOFF_MINUTES",
    "LEASE",
    "MAX_ATTEMPTS",
    "notifications_create",
    "notifications_queue",
    "notifications_requeue_due",
]

# Longer than the task's hard time limit (120 s), so a live sender never loses its claim; a worker
# that died mid-send leaves a claim that runs out, and the notification sweep queues the row again.
LEASE = dt.timedelta(minutes=3)
# Minutes to wait after the 1st, 2nd, … failed attempt; after the last, the row is failed for good.
BACKOFF_MINUTES = (1, 5, 15, 60, 240, 720)
MAX_ATTEMPTS = len(BACKOFF_MINUTES) + 1
REQUEUE_LIMIT = 2000
SEND_TASK = "service.notifications.tasks.notifications_send"
# Sends per task: enough to spread the broker's cost per task over several sends (25 instead of 10
# took the bench's sweep from 1.93 to 1.76 times its no-op floor), few enough that a slow provider
# cannot hold a task near its time limit (a chunk also stops early, see notifications_send).
SEND_CHUNK = 25
CHUNK_BUDGET = dt.timedelta(seconds=45)


def notifications_create(rows: Sequence[Notification]) -> list[UUID]:
    """Insert the rows whose dedupe key is new and queue their sends after commit; two queries.

    A row whose key exists already (a second sweep, a duplicated task, a retried receiver) is
    skipped by the database, so there is never a second row to send.
    """
    if not rows:
        return []
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    ids = list(
        Notification.objects.filter(
            dedupe_key__in=[row.dedupe_key for row in rows], status=NotificationStatus.PENDING
        ).values_list("id", flat=True)
    )
    notifications_queue(ids)
    return ids


def notifications_queue(ids: Iterable[UUID | str]) -> None:
    """Queue the sends in chunks once the current transaction commits (ids only, no ETA).

    A broker that is down costs nothing but time: the notification sweep queues the rows again.
    """
    ids = [str(i) for i in ids]
    for start in range(0, len(ids), SEND_CHUNK):
        enqueue(SEND_TASK, ids[start : start + SEND_CHUNK])


def notifications_send(*, notification_ids: Sequence[UUID | str]) -> dict[str, int]:
    """Send a chunk: claimed in one go, read in one query, each row recorded as soon as it is sent.

    Rows not claimable (sent already, held by another worker) count as skipped; what is left when the
    time budget runs out is released and re-queued.
    """
    started = now = timezone.now()
    claimed = _claim_many(notification_ids, now)
    rows = Notification.objects.select_related("clinic", *related_fields()).in_bulk(claimed)
    results: dict[str, int] = {}
    if len(claimed) < len(notification_ids):
        results["skipped"] = len(notification_ids) - len(claimed)
    pending = list(claimed)
    while pending:
        if timezone.now() - started > CHUNK_BUDGET:
            _release(pending)
            notifications_queue(pending)
            results["requeued"] = len(pending)
            break
        result = _send_claimed(rows[pending.pop(0)], now)
        results[result] = results.get(result, 0) + 1
    return results


def notifications_requeue_due(*, now: dt.datetime | None = None, limit: int = REQUEUE_LIMIT) -> int:
    """Queue a send for each due pending row and each row whose claim ran out (its worker died)."""
    now = now or timezone.now()
    ids = list(
        Notification.objects.filter(
            status__in=(NotificationStatus.PENDING, NotificationStatus.SENDING), next_attempt_at__lte=now
        )
        .filter(Q(status=NotificationStatus.PENDING) | Q(claimed_until__lt=now))
        .order_by("next_attempt_at")
        .values_list("id", flat=True)[:limit]
    )
    notifications_queue(ids)
    return len(ids)


def _claimable(now: dt.datetime) -> Q:
    """Pending and due, or sending with a claim that ran out (its worker died)."""
    return Q(status=NotificationStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=NotificationStatus.SENDING, claimed_until__lt=now
    )


def _claim_many(notification_ids: Sequence[UUID | str], now: dt.datetime) -> list[UUID]:
    """Claim what can be claimed of a chunk: rows another worker holds are skipped, not waited for."""
    rows = claim(
        Notification.objects.filter(_claimable(now), pk__in=list(notification_ids)).only("pk"),
        status=NotificationStatus.SENDING,
        claimed_until=now + LEASE,
        attempts=F("attempts") + 1,
    )
    return [row.pk for row in rows]


def _release(notification_ids: Sequence[UUID | str]) -> None:
    """Give back claimed rows that were not tried, as they were, so the next task can claim them."""
    Notification.objects.filter(pk__in=list(notification_ids), status=NotificationStatus.SENDING).update(
        status=NotificationStatus.PENDING, claimed_until=None, attempts=F("attempts") - 1
    )


def _finish(notification: Notification, **values: object) -> None:
    # Only while our claim stands: a row re-claimed after a lost lease belongs to the new claimant.
    Notification.objects.filter(
        pk=notification.pk, status=NotificationStatus.SENDING, attempts=notification.attempts
    ).update(claimed_until=None, **values)


def _fail(notification: Notification, error: str, *, permanent: bool, now: dt.datetime) -> str:
    if permanent or notification.attempts >= MAX_ATTEMPTS:
        _finish(notification, status=NotificationStatus.FAILED, last_error=error[:500])
        return "failed"
    wait = dt.timedelta(minutes=BACKOFF_MINUTES[min(notification.attempts, len(BACKOFF_MINUTES)) - 1])
    _finish(notification, status=NotificationStatus.PENDING, last_error=error[:500], next_attempt_at=now + wait)
    return "retry"


def _send_claimed(notification: Notification, now: dt.datetime) -> str:
    """Render, send and record a notification this worker has claimed."""
    channel, purpose = notification.channel, get_purpose(notification.purpose)

    reason = purpose.not_to_send(notification, now)
    if reason:
        _finish(notification, status=NotificationStatus.FAILED, last_error=f"not sent: {reason}")
        logger.info(
            "notification %s channel=%s purpose=%s result=dropped (%s)", notification.id, channel, purpose.name, reason
        )
        return "dropped"

    try:
        transport = get_transport(channel)
        transport.send(notification, render_notification(notification, renders_as=transport.renders_as))
    except TransportError as exc:
        result = _fail(notification, exc.message, permanent=exc.permanent, now=now)
        logger.warning(
            "notification %s channel=%s purpose=%s attempt=%d result=%s error=%s",
            notification.id, channel, purpose.name, notification.attempts, result, exc.message,
        )  # fmt: skip
        return result
    except Exception as exc:
        # A bug, not the provider: keep the row and its error, never let it escape into Celery's retries.
        result = _fail(notification, f"{type(exc).__name__} while sending", permanent=False, now=now)
        logger.exception(
            "notification %s channel=%s purpose=%s attempt=%d result=%s",
            notification.id, channel, purpose.name, notification.attempts, result,
        )  # fmt: skip
        return result

    with transaction.atomic():
        _finish(notification, status=NotificationStatus.SENT, sent_at=timezone.now(), last_error="")
        purpose.on_sent(notification)
    logger.info(
        "notification %s channel=%s purpose=%s attempt=%d result=sent",
        notification.id, channel, purpose.name, notification.attempts,
    )  # fmt: skip
    return "sent"
