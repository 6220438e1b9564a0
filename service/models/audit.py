"""The audit log: who did what to which object, appended by the services and never edited."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from service.models.clinics import Clinic


class ActorType(models.TextChoices):
    USER = "user"
    API_KEY = "api_key"
    SYSTEM = "system"


class AuditEventQuerySet(models.QuerySet):
    def delete(self):
        raise PermissionError("Audit events are never deleted.")


class AuditEvent(models.Model):
    """One thing that happened. Health data stays out: notes are the staff's own words about a flag."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=48)
    actor_type = models.CharField(max_length=8, choices=ActorType)
    actor_id = models.CharField(max_length=64, blank=True)
    actor_name = models.CharField(max_length=255, blank=True)
    object_type = models.CharField(max_length=32)
    object_id = models.UUIDField()
    note = models.TextField(blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["clinic", "object_type", "object_id", "at"], name="audit_object_idx"),
            models.Index(fields=["clinic", "-at"], name="audit_clinic_at_idx"),
        ]

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise PermissionError("Audit events are appended, never edited.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events are never deleted.")
