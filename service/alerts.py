"""Alerts to therapists: each new warning or critical flag, once per channel, with no health details."""

from __future__ import annotations

import hashlib

from service.models import Flag, FlagSeverity, Notification, NotificationChannel, NotificationPurpose
from service.notifications.outbox import notifications_create

__all__ = ["flag_alerts_create"]

_ALERTED = (FlagSeverity.WARNING, FlagSeverity.CRITICAL)


def _dedupe_key(flag: Flag, channel: str, recipient: str) -> str:
    key = f"flag:{flag.id}:{channel}:{recipient}"
    # The column holds 200 characters; a very long address is named by its hash instead.
    if len(key) > 200:
        key = f"flag:{flag.id}:{channel}:{hashlib.sha256(recipient.encode()).hexdigest()}"
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
    return rows
