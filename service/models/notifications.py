"""The email and SMS outbox: a row first, then a send claimed by exactly one worker."""

from __future__ import annotations

import uuid

from django.db import models

from service.models.appointments import Flag
from service.models.clinics import Clinic
from service.models.questionnaires import Invitation


class NotificationChannel(models.TextChoices):
    EMAIL = "email"
    SMS = "sms"


class NotificationPurpose(models.TextChoices):
    QUESTIONNAIRE = "questionnaire"
    REMINDER = "reminder"
    FLAG_ALERT = "flag_alert"
    CLINIC_ALERT = "clinic_alert"
    ENDPOINT_DISABLED = "endpoint_disabled"
    ESCALATION = "escalation"
    THERAPIST_INVITE = "therapist_invite"


class NotificationStatus(models.TextChoices):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class Notification(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=8, choices=NotificationChannel)
    purpose = models.CharField(max_length=24, choices=NotificationPurpose)
    recipient = models.CharField(max_length=255)
    # What makes it one thing to send: a retry or a second task finds the same row.
    dedupe_key = models.CharField(max_length=200, unique=True)
    invitation = models.ForeignKey(Invitation, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    flag = models.ForeignKey(Flag, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts")
    context = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=8, choices=NotificationStatus, default=NotificationStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status__in=["pending", "sending"]),
                name="notification_due_idx",
            ),
        ]
