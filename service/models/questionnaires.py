"""Questionnaire invitations (one per appointment and kind) and the answers clients send."""

from __future__ import annotations

import uuid

from django.db import models

from service.models.appointments import Appointment, Screening
from service.models.clinics import Clinic


class QuestionnaireKind(models.TextChoices):
    PRE_SESSION = "pre_session"
    POST_SESSION = "post_session"
    # Weeks after the client's last completed session (policy outcome_followup_days).
    OUTCOME_CHECK = "outcome_check"


class InvitationStatus(models.TextChoices):
    SCHEDULED = "scheduled"
    SENT = "sent"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    UNREACHABLE = "unreachable"


class Invitation(models.Model):
    """A questionnaire to send. The token is derived from `token_nonce`; only its hash is stored."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="invitations")
    kind = models.CharField(max_length=16, choices=QuestionnaireKind)
    status = models.CharField(max_length=16, choices=InvitationStatus, default=InvitationStatus.SCHEDULED)
    scheduled_for = models.DateTimeField()
    token_nonce = models.CharField(max_length=32, blank=True)
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    reminder_due_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    unanswered_flagged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["scheduled_for"]
        constraints = [
            models.UniqueConstraint(fields=["appointment", "kind"], name="one_invitation_per_kind"),
        ]
        indexes = [
            # The sweep reads only due, scheduled rows: a partial index keeps that cheap as the table grows.
            models.Index(
                fields=["scheduled_for"],
                condition=models.Q(status="scheduled"),
                name="invitation_due_idx",
            ),
            # The reminder and closing steps of the same sweep read sent rows only.
            models.Index(fields=["expires_at"], condition=models.Q(status="sent"), name="invitation_open_idx"),
            models.Index(
                fields=["reminder_due_at"],
                condition=models.Q(status="sent", reminder_sent_at__isnull=True),
                name="invitation_reminder_idx",
            ),
        ]


class QuestionnaireResponse(models.Model):
    """The answers a client sent; a second submission before the session replaces the answers."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, related_name="response")
    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="responses")
    kind = models.CharField(max_length=16, choices=QuestionnaireKind)
    answers = models.JSONField(default=dict)
    screening = models.ForeignKey(Screening, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField()
    submission_count = models.PositiveIntegerField(default=1)
