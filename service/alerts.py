"""Alerts to therapists: the warning or critical flags of one submission, once per channel, no health details."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.conf import settings

from service.audit import SYSTEM, audit_record
from service.models import (
    Flag,
    FlagSeverity,
    Notification,
    NotificationChannel,
    NotificationPurpose,
    NotificationStatus,
)
from service.notifications.outbox import notifications_create
from service.notifications.purposes import Purpose, register_purpose
from service.notifications.render import session_time_text

__all__ = ["flag_alerts_create", "flag_context", "flag_link"]

_ALERTED = (FlagSeverity.WARNING, FlagSeverity.CRITICAL)


def _dedupe_key(flag: Flag, channel: str, recipient: str) -> str:
    # The flags one submission raises share its screening: they go out as one alert per channel.
    group = f"screening:{flag.screening_id}" if flag.screening_id else f"flag:{flag.id}"
    key = f"{group}:{channel}:{recipient}"
    # The column holds 200 characters; a very long address is named by its hash instead.
    if len(key) > 200:
        key = f"{group}:{channel}:{hashlib.sha256(recipient.encode()).hexdigest()}"
    return key


def flag_alerts_create(*, flag: Flag) -> list[Notification]:
    """The alert rows for a new flag, queued after commit; an alert already made is not made again.

    The therapist gets one per alert channel that is email or SMS (webhooks are the outbound
    events' job); a critical flag also goes to the clinic's contact address.
    """
    if flag.severity not in _ALERTED:
        return []
    appointment = flag.appointment
    therapist = appointment.therapist
    now = flag.created_at
    rows: list[Notification] = []

    def add(channel: str, purpose: str, recipient: str) -> None:
        if recipient:
            rows.append(
                Notification(
                    clinic_id=flag.clinic_id,
                    channel=channel,
                    purpose=purpose,
                    recipient=recipient,
                    dedupe_key=_dedupe_key(flag, channel, recipient),
                    flag=flag,
                    next_attempt_at=now,
                )
            )

    if therapist is not None and therapist.active:
        channels = therapist.alert_channels or []
        if NotificationChannel.EMAIL in channels:
            add(NotificationChannel.EMAIL, NotificationPurpose.FLAG_ALERT, therapist.email)
        if NotificationChannel.SMS in channels and therapist.phone:
            add(NotificationChannel.SMS, NotificationPurpose.FLAG_ALERT, therapist.phone.as_e164)
    if flag.severity == FlagSeverity.CRITICAL:
        add(NotificationChannel.EMAIL, NotificationPurpose.CLINIC_ALERT, appointment.clinic.contact_email)
    notifications_create(rows)
    if flag.severity == FlagSeverity.CRITICAL and flag.screening_id:
        # A critical flag raised after a warning one by the same submission: the one alert, not yet
        # sent, now says urgent and links to the critical flag.
        Notification.objects.filter(
            dedupe_key__in=[row.dedupe_key for row in rows], status=NotificationStatus.PENDING
        ).exclude(flag=flag).update(flag=flag)
    return rows


def flag_link(flag: Flag) -> str:
    return f"{settings.SITE_URL}/therapist/flags/{flag.id}"


def flag_context(notification: Notification) -> dict[str, Any]:
    """What a message about a flag says: how urgent, when the session is, and the link (no health details)."""
    flag = notification.flag
    return {
        "urgent": flag.severity == FlagSeverity.CRITICAL,
        "session_time": session_time_text(flag.appointment.start, notification.clinic),
        "link": flag_link(flag),
    }


def _therapist_still_listens(notification: Notification, now: dt.datetime) -> str:
    therapist = notification.flag.appointment.therapist if notification.flag else None
    if therapist is None or notification.channel not in (therapist.alert_channels or []):
        return f"therapist has no {notification.channel} alerts"
    return ""


def _record_alerted(notification: Notification) -> None:
    """Each flag the alert spoke for (every warning or critical flag of its submission) is alerted."""
    flag = notification.flag
    flag_ids = [flag.pk]
    if flag.screening_id:
        flag_ids = list(
            Flag.objects.filter(screening_id=flag.screening_id, severity__in=_ALERTED).values_list("pk", flat=True)
        )
    for flag_id in flag_ids:
        audit_record(
            clinic_id=notification.clinic_id,
            action="flag.alerted",
            actor=SYSTEM,
            object_type="flag",
            object_id=flag_id,
            note=f"by {notification.channel}",
        )


_FLAG_RELATED = ("flag__appointment__therapist",)
register_purpose(
    Purpose(
        name=NotificationPurpose.FLAG_ALERT,
        not_to_send=_therapist_still_listens,
        context=flag_context,
        on_sent=_record_alerted,
        related=_FLAG_RELATED,
    )
)
register_purpose(Purpose(name=NotificationPurpose.CLINIC_ALERT, context=flag_context, related=_FLAG_RELATED))
