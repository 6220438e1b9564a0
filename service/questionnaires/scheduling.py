"""Invitation lifecycle: made on booking, moved on reschedule, ended on cancel; and the minute sweep."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from service import events
from service.claims import lock_batch
from service.db import bulk_update_rows
from service.flags import flag_raise
from service.models import (
    Appointment,
    AppointmentStatus,
    Clinic,
    Flag,
    FlagKind,
    FlagSeverity,
    FlagSource,
    FlagStatus,
    Invitation,
    InvitationStatus,
    Notification,
    NotificationPurpose,
    QuestionnaireKind,
)
from service.notifications.outbox import notifications_create
from service.questionnaires.invitations import client_address, client_channels
from service.questionnaires.tokens import invitation_token, new_token_nonce, token_hash
from service.screening.policy import ClinicPolicy, PolicyInvalid
from service.screenings import clinic_policy

logger = logging.getLogger("sessionguard.questionnaires")

__all__ = [
    "SWEEP_BATCH_SIZE",
    "invitations_cancel",
    "invitations_close_batch",
    "invitations_move",
    "invitations_on_complete",
    "invitations_remind_batch",
    "invitations_schedule",
    "invitations_send_batch",
    "questionnaire_sweep_run",
]

SWEEP_BATCH_SIZE = 500
# Keeps one sweep well inside the task time limit; what is left waits for the next minute.
SWEEP_MAX_BATCHES = 40

PRE, POST = QuestionnaireKind.PRE_SESSION, QuestionnaireKind.POST_SESSION
OUTCOME = QuestionnaireKind.OUTCOME_CHECK

_UNREACHABLE_REASON = {
    "rule": "Q-UNREACHABLE",
    "outcome": "proceed",
    "client_message": "",
    "therapist_message": (
        "The client has no email or phone number they agreed to be contacted on, so no questionnaire"
        " will be sent. Please ask the questions at the start of the session."
    ),
}
_UNANSWERED_REASON = {
    "rule": "Q-UNANSWERED",
    "outcome": "proceed",
    "client_message": "",
    "therapist_message": (
        "The client did not answer the questionnaire before the session. Please ask how they are before starting."
    ),
}


def _scheduled_for(kind: str, appointment: Appointment, policy: ClinicPolicy, now: dt.datetime) -> dt.datetime:
    if kind == PRE:
        # Booked closer to the start than the usual notice: ask at once.
        return max(appointment.start - dt.timedelta(hours=policy.pre_session_hours), now)
    if kind == OUTCOME:
        return appointment.end + dt.timedelta(days=policy.outcome_followup_days)
    return appointment.end + dt.timedelta(hours=policy.post_session_hours)


def _flag_info(appointment: Appointment, *, kind: str, reason: dict) -> Flag | None:
    """An info flag, once per appointment and kind while one is still open."""
    if Flag.objects.filter(appointment=appointment, kind=kind).exclude(status=FlagStatus.RESOLVED).exists():
        return None
    return flag_raise(
        appointment=appointment,
        severity=FlagSeverity.INFO,
        source=FlagSource.PRE_SESSION,
        kind=kind,
        reasons=[reason],
    )


@transaction.atomic
def invitations_schedule(*, appointment: Appointment, now: dt.datetime | None = None) -> list[Invitation]:
    """One invitation per kind the appointment lacks; a client with no usable channel gets none."""
    now = now or timezone.now()
    policy = clinic_policy(appointment.clinic)
    existing = set(appointment.invitations.values_list("kind", flat=True))
    reachable = bool(client_channels(appointment.client))
    made = []
    for kind in (PRE, POST):
        if kind in existing:
            continue
        if not reachable:
            status = InvitationStatus.UNREACHABLE
        elif kind == PRE and appointment.start <= now:
            status = InvitationStatus.EXPIRED  # booked after the start (a late import): nothing to ask
        else:
            status = InvitationStatus.SCHEDULED
        made.append(
            Invitation.objects.create(
                clinic_id=appointment.clinic_id,
                appointment=appointment,
                kind=kind,
                status=status,
                scheduled_for=_scheduled_for(kind, appointment, policy, now),
            )
        )
    if made and not reachable:
        _flag_info(appointment, kind=FlagKind.UNREACHABLE, reason=_UNREACHABLE_REASON)
    return made


def _reset_link(invitation: Invitation) -> None:
    """Back to scheduled; an empty hash ends the link already sent."""
    invitation.status = InvitationStatus.SCHEDULED
    invitation.token_hash = ""
    invitation.expires_at = None
    invitation.sent_at = None
    invitation.reminder_due_at = None
    invitation.reminder_sent_at = None
    invitation.unanswered_flagged_at = None


@transaction.atomic
def invitations_move(*, appointment: Appointment, now: dt.datetime | None = None) -> None:
    """Follow a reschedule: scheduled invitations move; a sent, unanswered pre-session link is asked again
    nearer the new start when that is far enough away, else its link now ends at the new start."""
    now = now or timezone.now()
    policy = clinic_policy(appointment.clinic)
    for invitation in appointment.invitations.select_for_update():
        when = _scheduled_for(invitation.kind, appointment, policy, now)
        status = invitation.status
        if invitation.kind == PRE:
            if status in (InvitationStatus.SCHEDULED, InvitationStatus.EXPIRED):
                _reset_link(invitation)
                invitation.scheduled_for = when
                if appointment.start <= now:
                    invitation.status = InvitationStatus.EXPIRED
            elif status == InvitationStatus.SENT:
                if when > now:
                    _reset_link(invitation)
                    invitation.scheduled_for = when
                else:
                    invitation.expires_at = appointment.start
                    invitation.reminder_due_at = _reminder_due(appointment, policy, now)
                    invitation.reminder_sent_at = None
            elif status == InvitationStatus.COMPLETED:
                # Answers stand; they can still be updated until the new start.
                invitation.expires_at = appointment.start
        elif status == InvitationStatus.SCHEDULED:
            invitation.scheduled_for = when
        invitation.save()


def _reminder_due(appointment: Appointment, policy: ClinicPolicy, now: dt.datetime) -> dt.datetime | None:
    due = appointment.start - dt.timedelta(hours=policy.reminder_hours_before)
    # Sent later than the reminder time (a late booking): the first message is reminder enough.
    return due if due > now else None


@transaction.atomic
def invitations_cancel(*, appointment: Appointment, now: dt.datetime | None = None) -> int:
    """Cancelled or no-show: nothing more is sent and every link ends now."""
    now = now or timezone.now()
    invitations = Invitation.objects.filter(appointment=appointment)
    cancelled = invitations.filter(
        status__in=(InvitationStatus.SCHEDULED, InvitationStatus.SENT, InvitationStatus.UNREACHABLE)
    ).update(status=InvitationStatus.CANCELLED, expires_at=now, updated_at=now)
    invitations.filter(status=InvitationStatus.COMPLETED).update(expires_at=now, updated_at=now)
    return cancelled


@transaction.atomic
def invitations_reopen(*, appointment: Appointment, now: dt.datetime | None = None) -> None:
    """Booked again after a cancellation: what the cancellation stopped is asked again, for the new time."""
    now = now or timezone.now()
    for invitation in appointment.invitations.select_for_update().filter(status=InvitationStatus.CANCELLED):
        _reset_link(invitation)
        invitation.completed_at = None
        invitation.save()
    invitations_schedule(appointment=appointment, now=now)
    invitations_move(appointment=appointment, now=now)


@transaction.atomic
def outcome_check_schedule(*, appointment: Appointment, now: dt.datetime | None = None) -> Invitation | None:
    """After a completed session: one outcome check, unless a later session is booked.

    Only the client's last completed session keeps one: an earlier session's check, not yet sent,
    is cancelled, so the client is asked once, weeks after they stopped coming.
    """
    now = now or timezone.now()
    policy = clinic_policy(appointment.clinic)
    client_checks = Invitation.objects.filter(
        kind=OUTCOME, status=InvitationStatus.SCHEDULED, appointment__client_id=appointment.client_id
    )
    later = Appointment.objects.filter(client_id=appointment.client_id, start__gt=appointment.start).exclude(
        status__in=(AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW)
    )
    if policy.outcome_followup_days == 0 or later.exists():
        return None
    client_checks.exclude(appointment=appointment).update(status=InvitationStatus.CANCELLED, updated_at=now)
    invitation, _ = Invitation.objects.get_or_create(
        appointment=appointment,
        kind=OUTCOME,
        defaults={
            "clinic_id": appointment.clinic_id,
            "status": InvitationStatus.SCHEDULED,
            "scheduled_for": _scheduled_for(OUTCOME, appointment, policy, now),
        },
    )
    return invitation


@transaction.atomic
def outcome_checks_cancel_before(*, appointment: Appointment, now: dt.datetime | None = None) -> int:
    """A new booking: checks of the client's earlier sessions, not yet sent, are not needed."""
    now = now or timezone.now()
    return Invitation.objects.filter(
        kind=OUTCOME,
        status=InvitationStatus.SCHEDULED,
        appointment__client_id=appointment.client_id,
        appointment__start__lt=appointment.start,
    ).update(status=InvitationStatus.CANCELLED, updated_at=now)


@transaction.atomic
def invitations_on_complete(*, appointment: Appointment, now: dt.datetime | None = None) -> None:
    """The session happened: the post-session questionnaire stands (again, after a no-show was corrected)."""
    now = now or timezone.now()
    policy = clinic_policy(appointment.clinic)
    Invitation.objects.filter(appointment=appointment, kind=PRE, status=InvitationStatus.SCHEDULED).update(
        status=InvitationStatus.EXPIRED, updated_at=now
    )
    revived = Invitation.objects.filter(
        appointment=appointment, kind=POST, status=InvitationStatus.CANCELLED, sent_at__isnull=True
    ).update(
        status=InvitationStatus.SCHEDULED,
        scheduled_for=max(_scheduled_for(POST, appointment, policy, now), now),
        expires_at=None,
        updated_at=now,
    )
    if not revived:
        invitations_schedule(appointment=appointment, now=now)


def _policies():
    """A per-batch cache of clinic policies. One clinic's broken policy must not stop every clinic's
    questionnaires (the batch would fail on every sweep), so it falls back to the defaults, loudly."""
    cache: dict = {}

    def policy_for(clinic: Clinic) -> ClinicPolicy:
        if clinic.id not in cache:
            try:
                cache[clinic.id] = clinic_policy(clinic)
            except PolicyInvalid as exc:
                logger.error("clinic %s has an invalid policy (%s); using the defaults", clinic.id, exc.errors)
                cache[clinic.id] = ClinicPolicy(emergency_region=clinic.emergency_region)
        return cache[clinic.id]

    return policy_for


def _notification(invitation: Invitation, purpose: str, channel: str, now: dt.datetime) -> Notification:
    link_round = invitation.token_nonce[:8]
    return Notification(
        clinic_id=invitation.clinic_id,
        channel=channel,
        purpose=purpose,
        recipient=client_address(invitation.appointment.client, channel),
        # The round (from the nonce) lets a rescheduled invitation send a new link; within a round,
        # a second sweep or a duplicated task finds the key taken.
        dedupe_key=f"invitation:{invitation.id}:{purpose}:{channel}:{link_round}",
        invitation=invitation,
        context={"round": link_round},
        next_attempt_at=now,
    )


# A post-session questionnaire also goes to a session not yet marked completed.
_SENDABLE = {
    PRE: (AppointmentStatus.BOOKED,),
    POST: (AppointmentStatus.BOOKED, AppointmentStatus.COMPLETED),
    OUTCOME: (AppointmentStatus.COMPLETED,),
}

_SEND_FIELDS = [
    "status",
    "token_nonce",
    "token_hash",
    "sent_at",
    "expires_at",
    "reminder_due_at",
    "reminder_sent_at",
    "updated_at",
]


@transaction.atomic
def invitations_send_batch(*, now: dt.datetime | None = None, batch_size: int = SWEEP_BATCH_SIZE) -> int:
    """Claim up to `batch_size` due invitations and make their notifications; returns how many were claimed.

    A fixed number of queries whatever the batch or table size: one locked read with the client and
    clinic joined, one bulk update, one bulk insert and one read of the new notification ids.
    Rows another sweep holds are skipped, not waited for.
    """
    now = now or timezone.now()
    batch = lock_batch(
        Invitation.objects.filter(status=InvitationStatus.SCHEDULED, scheduled_for__lte=now)
        .select_related("clinic", "appointment__client")
        .order_by("scheduled_for"),
        batch_size,
    )
    if not batch:
        return 0
    policy_for = _policies()
    notifications: list[Notification] = []
    sent: list[Invitation] = []
    unreachable: list[Invitation] = []
    for invitation in batch:
        appointment = invitation.appointment
        policy = policy_for(invitation.clinic)
        invitation.updated_at = now
        if appointment.status not in _SENDABLE[invitation.kind]:
            invitation.status = InvitationStatus.CANCELLED
            continue
        if invitation.kind == PRE and appointment.start <= now:
            invitation.status = InvitationStatus.EXPIRED  # the sweep was down past the start
            continue
        channels = client_channels(appointment.client)
        if not channels:
            invitation.status = InvitationStatus.UNREACHABLE
            unreachable.append(invitation)
            continue
        invitation.token_nonce = new_token_nonce()
        invitation.token_hash = token_hash(invitation_token(invitation))
        invitation.status = InvitationStatus.SENT
        invitation.sent_at = now
        if invitation.kind == PRE:
            invitation.expires_at = appointment.start
            invitation.reminder_due_at = _reminder_due(appointment, policy, now)
        else:
            invitation.expires_at = now + dt.timedelta(days=policy.post_session_link_days)
            invitation.reminder_due_at = None
        invitation.reminder_sent_at = None
        notifications.extend(_notification(invitation, NotificationPurpose.QUESTIONNAIRE, ch, now) for ch in channels)
        sent.append(invitation)
    bulk_update_rows(batch, _SEND_FIELDS)
    notifications_create(notifications)
    for invitation in unreachable:
        # Rare (the client withdrew consent after booking), so a flag each is fine.
        _flag_info(invitation.appointment, kind=FlagKind.UNREACHABLE, reason=_UNREACHABLE_REASON)
    if sent:
        events.questionnaire_sent.send(sender=Invitation, invitations=sent)
    logger.info("questionnaire sweep: claimed=%d sent=%d unreachable=%d", len(batch), len(sent), len(unreachable))
    return len(batch)


@transaction.atomic
def invitations_remind_batch(*, now: dt.datetime | None = None, batch_size: int = SWEEP_BATCH_SIZE) -> int:
    """One reminder for each pre-session questionnaire still unanswered at its reminder time."""
    now = now or timezone.now()
    batch = lock_batch(
        Invitation.objects.filter(
            status=InvitationStatus.SENT, kind=PRE, reminder_sent_at__isnull=True, reminder_due_at__lte=now
        )
        .select_related("appointment__client")
        .order_by("reminder_due_at"),
        batch_size,
    )
    if not batch:
        return 0
    notifications = []
    for invitation in batch:
        appointment = invitation.appointment
        # Marked either way, so that a row past its session is not looked at again.
        invitation.reminder_sent_at = now
        invitation.updated_at = now
        if appointment.status == AppointmentStatus.BOOKED and appointment.start > now:
            notifications.extend(
                _notification(invitation, NotificationPurpose.REMINDER, channel, now)
                for channel in client_channels(appointment.client)
            )
    bulk_update_rows(batch, ["reminder_sent_at", "updated_at"])
    notifications_create(notifications)
    return len(batch)


@transaction.atomic
def invitations_close_batch(*, now: dt.datetime | None = None, batch_size: int = SWEEP_BATCH_SIZE) -> int:
    """Links that ran out: unanswered pre-session ones open an info flag at the start."""
    now = now or timezone.now()
    Invitation.objects.filter(status=InvitationStatus.SENT, kind=POST, expires_at__lte=now).update(
        status=InvitationStatus.EXPIRED, updated_at=now
    )
    batch = lock_batch(
        Invitation.objects.filter(status=InvitationStatus.SENT, kind=PRE, expires_at__lte=now)
        .select_related("appointment")
        .order_by("expires_at"),
        batch_size,
    )
    for invitation in batch:
        invitation.status = InvitationStatus.EXPIRED
        invitation.updated_at = now
        if invitation.appointment.status == AppointmentStatus.BOOKED:
            invitation.unanswered_flagged_at = now
            _flag_info(invitation.appointment, kind=FlagKind.UNANSWERED, reason=_UNANSWERED_REASON)
    bulk_update_rows(batch, ["status", "unanswered_flagged_at", "updated_at"])
    return len(batch)


def questionnaire_sweep_run(*, now: dt.datetime | None = None, batch_size: int = SWEEP_BATCH_SIZE) -> dict[str, int]:
    """Everything time-based about questionnaires, in batches, each batch its own transaction."""
    counts = {"sent": 0, "reminded": 0, "closed": 0}
    for key, step in (
        ("sent", invitations_send_batch),
        ("reminded", invitations_remind_batch),
        ("closed", invitations_close_batch),
    ):
        for _ in range(SWEEP_MAX_BATCHES):
            claimed = step(now=now, batch_size=batch_size)
            counts[key] += claimed
            if claimed < batch_size:
                break
    return counts
