"""Appointments, the screenings made for them (never edited) and the flags raised on them."""

from __future__ import annotations

import uuid

from django.db import models

from service.models.clinics import Clinic
from service.models.people import Client, Therapist


class Pressure(models.TextChoices):
    LIGHT = "light"
    MEDIUM = "medium"
    FIRM = "firm"
    DEEP = "deep"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    COMPLETED = "completed"
    NO_SHOW = "no_show"


class Appointment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="appointments")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="appointments")
    therapist = models.ForeignKey(
        Therapist, null=True, blank=True, on_delete=models.PROTECT, related_name="appointments"
    )
    service_name = models.CharField(max_length=200)
    service_pressure = models.CharField(max_length=8, choices=Pressure, default=Pressure.MEDIUM)
    duration_minutes = models.PositiveIntegerField(default=60)
    start = models.DateTimeField()
    end = models.DateTimeField()
    status = models.CharField(max_length=16, choices=AppointmentStatus, default=AppointmentStatus.BOOKED)
    # The answers given at booking: the baseline a pre-session answer is compared with.
    booking_answers = models.JSONField(default=dict, blank=True)
    # A booking kept although its screening said refer or hold: the clinic's call, recorded.
    booked_against_advice = models.BooleanField(default=False)
    external_platform = models.CharField(max_length=32, blank=True)
    external_id = models.CharField(max_length=255, blank=True)
    external_version = models.BigIntegerField(null=True, blank=True)
    # Where the client can move the booking on the platform (Calendly, Cal.com, Acuity give one).
    external_reschedule_url = models.URLField(max_length=500, blank=True)
    # A risky booking cancelled on the platform itself (the integration's on_hold setting):
    # "" (not asked), pending, cancelled, failed or unsupported; the last error when there is one.
    platform_hold = models.CharField(max_length=16, blank=True)
    platform_hold_error = models.CharField(max_length=500, blank=True)
    latest_screening = models.ForeignKey(
        "Screening", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["start", "id"]
        indexes = [
            models.Index(fields=["clinic", "start", "id"]),
            models.Index(fields=["therapist", "start"]),
            models.Index(fields=["client", "start"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "external_platform", "external_id"],
                condition=~models.Q(external_id=""),
                name="appointment_external_id_unique",
            ),
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="appointment_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.service_name} at {self.start:%Y-%m-%d %H:%M}"


class Screening(models.Model):
    """One screening decision. Kept, never edited: each new answer set makes a new one."""

    class Source(models.TextChoices):
        SCREENING = "screening"
        BOOKING = "booking"
        RESCHEDULE = "reschedule"
        PRE_SESSION = "pre_session"
        POST_SESSION = "post_session"
        INTEGRATION = "integration"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No index of its own: the (clinic, created_at) index below serves every lookup by clinic, and
    # one index less is written on every screening.
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="screenings", db_index=False)
    appointment = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.CASCADE, related_name="screenings"
    )
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="screenings")
    therapist = models.ForeignKey(Therapist, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=16, choices=Source)
    answers = models.JSONField(default=dict)
    service = models.JSONField(default=dict)
    start = models.DateTimeField()
    outcome = models.CharField(max_length=32)
    rule_set_name = models.CharField(max_length=64)
    rule_set_version = models.CharField(max_length=32)
    reasons = models.JSONField(default=list)
    modifications = models.JSONField(default=list)
    earliest_advised_start = models.DateTimeField(null=True, blank=True)
    suggested_therapists = models.JSONField(default=list)
    emergency = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["clinic", "created_at"])]


class FlagSeverity(models.TextChoices):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class FlagSource(models.TextChoices):
    SCREENING = "screening"
    PRE_SESSION = "pre_session"
    POST_SESSION = "post_session"
    STAFF = "staff"


class FlagStatus(models.TextChoices):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class FlagKind(models.TextChoices):
    """Why the flag exists; the history rules read `aggravation` and `bruising`."""

    SCREENING = "screening"
    AGGRAVATION = "aggravation"
    RED_FLAG = "red_flag"
    BRUISING = "bruising"
    UNREACHABLE = "unreachable"
    UNANSWERED = "unanswered"
    STAFF = "staff"


class Flag(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="flags")
    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="flags")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="flags")
    screening = models.ForeignKey(Screening, null=True, blank=True, on_delete=models.SET_NULL, related_name="flags")
    severity = models.CharField(max_length=8, choices=FlagSeverity)
    source = models.CharField(max_length=16, choices=FlagSource)
    kind = models.CharField(max_length=16, choices=FlagKind, default=FlagKind.SCREENING)
    reasons = models.JSONField(default=list)
    status = models.CharField(max_length=16, choices=FlagStatus, default=FlagStatus.OPEN)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    # Set once, by the escalation sweep that claimed the flag: a flag is escalated at most once.
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]
        indexes = [
            models.Index(fields=["clinic", "status", "created_at"]),
            models.Index(fields=["client", "kind", "created_at"]),
        ]
