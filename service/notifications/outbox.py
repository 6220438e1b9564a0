"""The outbox: rows made once (by dedupe key), each claimed by one worker, sent, retried with backoff."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from uuid import UUID

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from service.audit import SYSTEM, audit_record
from service.models import (
    AppointmentStatus,
    Flag,
    InvitationStatus,
    Notification,
    NotificationChannel,
    NotificationPurpose,
    NotificationStatus,
    QuestionnaireKind,
)
from service.notifications.email import EmailError, send_email
from service.notifications.render import render_notification
from service.notifications.sms import SmsError, get_sms_backend

logger = logging.getLogger("sessionguard.notifications")

__all__ = [
    "BACKOFF_MINUTES",
    "LEASE",
    "MAX_ATTEMPTS",
    "notification_send",
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
# Sends per task: enough to spread the broker's cost per task over several sends, few enough that a
# slow provider cannot hold a task near its time limit (a chunk also stops early, see notifications_send).
SEND_CHUNK = 10
CHUNK_BUDGET = dt.timedelta(seconds=45)

_INVITATION_PURPOSES = (NotificationPurpose.QUESTIONNAIRE, NotificationPurpose.REMINDER)


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
    """Queue one send task per id once the current transaction commits (ids only, no ETA)."""
    ids = [str(i) for i in ids]
    if ids:
        # robust: a broker hiccup must not undo the commit; the notification sweep re-queues the rows.
        transaction.on_commit(lambda: _queue(ids), robust=True)


def _queue(ids: list[str]) -> None:
    from service.notifications.tasks import notifications_send as task

    for start in range(0, len(ids), SEND_CHUNK):
        task.delay(ids[start : start + SEND_CHUNK])


def notifications_send(*, notification_ids: Sequence[UUID | str]) -> dict[str, int]:
    """Send a chunk: claimed in one go, read in one query, each row recorded as soon as it is sent.

    Rows not claimable (sent already, held by another worker) count as skipped; what is left when the
    time budget runs out is released and re-queued.
    """
    started = now = timezone.now()
    claimed = _claim_many(notification_ids, now)
    rows = Notification.objects.select_related(*_RELATED).in_bulk(claimed)
    results: dict[str, int] = {}
    if len(claimed) < len(notification_ids):
        results["skipped"] = len(notification_ids) - len(claimed)
    pending = list(claimed)
    while pending:
        if timezone.now() - started > CHUNK_BUDGET:
            _release(pending)
            _queue([str(i) for i in pending])
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
    _queue([str(i) for i in ids])
    return len(ids)


def _claimable(now: dt.datetime) -> Q:
    """Pending and due, or sending with a claim that ran out (its worker died)."""
    return Q(status=NotificationStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=NotificationStatus.SENDING, claimed_until__lt=now
    )


def _claim(notification_id: UUID | str, now: dt.datetime) -> bool:
    """Claimable → sending, claimed by us. One row or none."""
    changed = Notification.objects.filter(_claimable(now), pk=notification_id).update(
        status=NotificationStatus.SENDING, claimed_until=now + LEASE, attempts=F("attempts") + 1
    )
    return changed == 1


@transaction.atomic
def _claim_many(notification_ids: Sequence[UUID | str], now: dt.datetime) -> list[UUID]:
    """Claim what can be claimed of a chunk: rows another worker holds are skipped, not waited for."""
    ids = list(
        Notification.objects.select_for_update(skip_locked=True)
        .filter(_claimable(now), pk__in=list(notification_ids))
        .values_list("id", flat=True)
    )
    if ids:
        Notification.objects.filter(pk__in=ids).update(
            status=NotificationStatus.SENDING, claimed_until=now + LEASE, attempts=F("attempts") + 1
        )
    return ids


def _release(notification_ids: Sequence[UUID | str]) -> None:
    """Give back claimed rows that were not tried, as they were, so the next task can claim them."""
    Notification.objects.filter(pk__in=list(notification_ids), status=NotificationStatus.SENDING).update(
        status=NotificationStatus.PENDING, claimed_until=None, attempts=F("attempts") - 1
    )


_RELATED = (
    "clinic",
    "invitation__appointment__client",
    "invitation__appointment__therapist",
    "flag__appointment__therapist",
)


def _not_to_send(notification: Notification, now: dt.datetime) -> str:
    """Why this row must not go out any more ("" when it should)."""
    if notification.purpose in _INVITATION_PURPOSES:
        invitation = notification.invitation
        if invitation is None:
            return "no questionnaire"
        appointment = invitation.appointment
        if appointment.status in (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW):
            return f"appointment {appointment.status}"
        if invitation.status != InvitationStatus.SENT:
            return f"questionnaire {invitation.status}"
        if notification.context.get("round") != invitation.token_nonce[:8]:
            return "superseded by a newer link"
        if invitation.expires_at is None or invitation.expires_at <= now:
            return "link ended"
        if invitation.kind == QuestionnaireKind.PRE_SESSION and appointment.start <= now:
            return "session started"
        if notification.channel not in (appointment.client.contact_channels or []):
            return f"client opted out of {notification.channel}"
    elif notification.purpose == NotificationPurpose.THERAPIST_INVITE:
        from service.models import Therapist

        if not Therapist.objects.filter(user_id=notification.context.get("user_id"), active=True).exists():
            return "therapist deactivated"
    elif notification.purpose == NotificationPurpose.ESCALATION:
        if notification.flag is None or notification.flag.status != "open":
            return "flag acknowledged since"
    elif notification.purpose == NotificationPurpose.FLAG_ALERT:
        therapist = notification.flag.appointment.therapist if notification.flag else None
        if therapist is None or notification.channel not in (therapist.alert_channels or []):
            return f"therapist has no {notification.channel} alerts"
    return ""


def _alerted_flag_ids(notification: Notification) -> list[UUID]:
    """The flags one alert spoke for: every warning or critical flag of the submission behind it."""
    flag = notification.flag
    if not flag.screening_id:
        return [flag.pk]
    return list(
        Flag.objects.filter(screening_id=flag.screening_id, severity__in=("warning", "critical")).values_list(
            "pk", flat=True
        )
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


def notification_send(*, notification_id: UUID | str) -> str:
    """Claim, render, send and record one notification; safe to run twice (the second finds no claim).

    Returns what happened: sent, skipped (not ours or not due), dropped, retry or failed.
    """
    now = timezone.now()
    if not _claim(notification_id, now):
        logger.info("notification %s result=skipped", notification_id)
        return "skipped"
    return _send_claimed(Notification.objects.select_related(*_RELATED).get(pk=notification_id), now)


def _send_claimed(notification: Notification, now: dt.datetime) -> str:
    """Render, send and record a notification this worker has claimed."""
    channel, purpose = notification.channel, notification.purpose

    reason = _not_to_send(notification, now)
    if reason:
        _finish(notification, status=NotificationStatus.FAILED, last_error=f"not sent: {reason}")
        logger.info(
            "notification %s channel=%s purpose=%s result=dropped (%s)", notification.id, channel, purpose, reason
        )
        return "dropped"

    try:
        rendered = render_notification(notification)
        if channel == NotificationChannel.EMAIL:
            send_email(notification_id=notification.id, to=notification.recipient, rendered=rendered)
        else:
            get_sms_backend().send(to=notification.recipient, body=rendered.text, reference=str(notification.id))
    except (EmailError, SmsError) as exc:
        result = _fail(notification, exc.message, permanent=exc.permanent, now=now)
        logger.warning(
            "notification %s channel=%s purpose=%s attempt=%d result=%s error=%s",
            notification.id, channel, purpose, notification.attempts, result, exc.message,
        )  # fmt: skip
        return result
    except Exception as exc:
        # A bug, not the provider: keep the row and its error, never let it escape into Celery's retries.
        result = _fail(notification, f"{type(exc).__name__} while sending", permanent=False, now=now)
        logger.exception(
            "notification %s channel=%s purpose=%s attempt=%d result=%s",
            notification.id, channel, purpose, notification.attempts, result,
        )  # fmt: skip
        return result

    with transaction.atomic():
        _finish(notification, status=NotificationStatus.SENT, sent_at=timezone.now(), last_error="")
        if notification.purpose == NotificationPurpose.FLAG_ALERT and notification.flag_id:
            for flag_id in _alerted_flag_ids(notification):
                audit_record(
                    clinic_id=notification.clinic_id,
                    action="flag.alerted",
                    actor=SYSTEM,
                    object_type="flag",
                    object_id=flag_id,
                    note=f"by {channel}",
                )
    logger.info(
        "notification %s channel=%s purpose=%s attempt=%d result=sent",
        notification.id, channel, purpose, notification.attempts,
    )  # fmt: skip
    return "sent"
