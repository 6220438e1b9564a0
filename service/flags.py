"""Services for flags: raise one on an appointment, acknowledge it, resolve it; each recorded in the audit log."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from service import events
from service.audit import SYSTEM, Actor, audit_record
from service.exceptions import Conflict
from service.models import Appointment, Client, Flag, FlagKind, FlagSeverity, FlagStatus, Screening

# Flags the history rules of the next booking read (HIST-AGGRAVATION, HIST-BRUISING).
HISTORY_KINDS = frozenset({FlagKind.AGGRAVATION, FlagKind.BRUISING})

# A screening's outcome decides the severity of the flag it opens (issue 3).
OUTCOME_SEVERITY = {
    "refer_urgently": FlagSeverity.CRITICAL,
    "needs_clearance": FlagSeverity.WARNING,
    "reschedule": FlagSeverity.WARNING,
    "proceed_with_modifications": FlagSeverity.INFO,
}


@transaction.atomic
def flag_raise(
    *,
    appointment: Appointment,
    severity: str,
    source: str,
    kind: str,
    reasons: list[dict],
    screening: Screening | None = None,
) -> Flag:
    flag = Flag.objects.create(
        clinic_id=appointment.clinic_id,
        appointment=appointment,
        client_id=appointment.client_id,
        screening=screening,
        severity=severity,
        source=source,
        kind=kind,
        reasons=reasons,
    )
    if kind in HISTORY_KINDS:
        Client.objects.filter(pk=appointment.client_id).update(history_flagged_at=flag.created_at)
    audit_record(clinic_id=flag.clinic_id, action="flag.raised", actor=SYSTEM, object_type="flag", object_id=flag.pk)
    events.flag_raised.send(sender=Flag, flag=flag)
    return flag


@transaction.atomic
def flag_acknowledge(*, flag: Flag, note: str = "", actor: Actor = SYSTEM) -> Flag:
    """Open → acknowledged. Acknowledging again changes nothing; a resolved flag cannot go back."""
    flag = Flag.objects.select_for_update().get(pk=flag.pk)
    if flag.status == FlagStatus.RESOLVED:
        raise Conflict("This flag is already resolved.")
    if flag.status == FlagStatus.ACKNOWLEDGED:
        return flag
    flag.status = FlagStatus.ACKNOWLEDGED
    flag.acknowledged_at = timezone.now()
    if note:
        flag.note = note
    flag.save(update_fields=["status", "acknowledged_at", "note"])
    audit_record(
        clinic_id=flag.clinic_id,
        action="flag.acknowledged",
        actor=actor,
        object_type="flag",
        object_id=flag.pk,
        note=note,
    )
    events.flag_acknowledged.send(sender=Flag, flag=flag)
    return flag


@transaction.atomic
def flag_resolve(*, flag: Flag, note: str = "", actor: Actor = SYSTEM) -> Flag:
    """Open or acknowledged → resolved; resolving again changes nothing."""
    flag = Flag.objects.select_for_update().get(pk=flag.pk)
    if flag.status == FlagStatus.RESOLVED:
        return flag
    now = timezone.now()
    flag.status = FlagStatus.RESOLVED
    flag.resolved_at = now
    flag.acknowledged_at = flag.acknowledged_at or now
    if note:
        flag.note = f"{flag.note}\n{note}".strip() if flag.note else note
    flag.save(update_fields=["status", "resolved_at", "acknowledged_at", "note"])
    audit_record(
        clinic_id=flag.clinic_id, action="flag.resolved", actor=actor, object_type="flag", object_id=flag.pk, note=note
    )
    events.flag_resolved.send(sender=Flag, flag=flag)
    return flag
