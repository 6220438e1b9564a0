"""Alerts to therapists: the warning or critical flags of one submission, once per channel, no health details."""

from __future__ import annotations

import hashlib

from service.models import (
    Flag,
    FlagSeverity,
    Notification,
    NotificationChannel,
    NotificationPurpose,
    NotificationStatus,
)
from service.notifications.outbox import notifications_create

__all__ = ["flag_alerts_create"]

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
