"""Escalation: a warning or critical flag nobody acknowledged in time goes to the clinic, once.

The periodic sweep finds open flags past their clinic's `escalate_critical_minutes` or
`escalate_warning_minutes`, claims each (service/claims.py) (so two sweeps, or a sweep run again
after a worker crash, escalate it once), and in the same transaction writes the messages to the
clinic's contact address and phone, the audit event and the `flag.escalated` webhook.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from service import events
from service.alerts import flag_context
from service.audit import SYSTEM, audit_record
from service.claims import claim
from service.models import (
    Flag,
    FlagSeverity,
    FlagStatus,
    Notification,
    NotificationChannel,
    NotificationPurpose,
)
from service.notifications.outbox import notifications_create
from service.notifications.purposes import Purpose, register_purpose
from service.screening.policy import ClinicPolicy, PolicyInvalid

logger = logging.getLogger("sessionguard.escalation")

BATCH = 200
_SEVERITIES = (FlagSeverity.CRITICAL, FlagSeverity.WARNING)


def _minutes(flag: Flag) -> int:
    try:
        policy = ClinicPolicy.from_dict(flag.clinic.policy or {})
    except PolicyInvalid:
        policy = ClinicPolicy()
    return (
        policy.escalate_critical_minutes if flag.severity == FlagSeverity.CRITICAL else policy.escalate_warning_minutes
    )


def _claim(flag: Flag, now: dt.datetime) -> bool:
    """True for the one sweep that marks this flag escalated; false when it was already, or is no longer open."""
    return bool(
        claim(Flag.objects.filter(pk=flag.pk, status=FlagStatus.OPEN, escalated_at__isnull=True), escalated_at=now)
    )


def _messages(flag: Flag, now: dt.datetime) -> list[Notification]:
    clinic = flag.clinic
    recipients = [
        (NotificationChannel.EMAIL, clinic.contact_email),
        (NotificationChannel.SMS, clinic.contact_phone.as_e164 if clinic.contact_phone else ""),
    ]
    return [
        Notification(
            clinic_id=flag.clinic_id,
            channel=channel,
            purpose=NotificationPurpose.ESCALATION,
            recipient=recipient,
            dedupe_key=f"escalation:{flag.pk}:{channel}",
            flag=flag,
            next_attempt_at=now,
        )
        for channel, recipient in recipients
        if recipient
    ]


def flag_escalate(*, flag: Flag, now: dt.datetime | None = None) -> bool:
    """Escalate one flag if no other sweep has; True when this call did."""
    now = now or timezone.now()
    with transaction.atomic():
        if not _claim(flag, now):
            return False
        flag.escalated_at = now
        rows = _messages(flag, now)
        notifications_create(rows)
        audit_record(
            clinic_id=flag.clinic_id,
            action="flag.escalated",
            actor=SYSTEM,
            object_type="flag",
            object_id=flag.pk,
            note="to " + " and ".join(row.channel for row in rows) if rows else "the clinic has no contact set",
        )
        events.flag_escalated.send(sender=Flag, flag=flag)
    logger.info("flag %s escalated (%s) by %s", flag.pk, flag.severity, ", ".join(r.channel for r in rows) or "none")
    return True


def flags_escalate_due(*, now: dt.datetime | None = None) -> int:
    """The sweep: escalate every open flag past its clinic's time; returns how many it escalated."""
    now = now or timezone.now()
    # The shortest setting is a minute: anything younger cannot be due, whatever its clinic chose.
    candidates = (
        Flag.objects.filter(
            status=FlagStatus.OPEN,
            escalated_at__isnull=True,
            severity__in=_SEVERITIES,
            created_at__lte=now - dt.timedelta(minutes=1),
        )
        .select_related("clinic", "appointment")
        # Critical flags first, so a batch full of warnings not yet due never holds one back.
        .order_by("severity", "created_at")[:BATCH]
    )
    escalated = 0
    for flag in candidates:
        if flag.created_at <= now - dt.timedelta(minutes=_minutes(flag)) and flag_escalate(flag=flag, now=now):
            escalated += 1
    return escalated


def _still_open(notification: Notification, now: dt.datetime) -> str:
    if notification.flag is None or notification.flag.status != FlagStatus.OPEN:
        return "flag acknowledged since"
    return ""


register_purpose(
    Purpose(
        name=NotificationPurpose.ESCALATION,
        not_to_send=_still_open,
        context=flag_context,
        related=("flag__appointment",),
    )
)
