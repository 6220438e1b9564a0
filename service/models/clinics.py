"""Tenants (clinics), their API keys, staff sign-in, idempotency records and the worker heartbeat."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from phonenumber_field.modelfields import PhoneNumberField


def validate_timezone(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"{value!r} is not a known time zone.", code="invalid_timezone") from None


class EmergencyRegion(models.TextChoices):
    UK = "uk", "United Kingdom (A&E, 999, 111)"
    US = "us", "United States (emergency room, 911)"
    GENERIC = "generic", "Generic (emergency services)"


class Language(models.TextChoices):
    EN = "en", "English"
    ES = "es", "Español"


class Clinic(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    emergency_region = models.CharField(max_length=16, choices=EmergencyRegion, default=EmergencyRegion.GENERIC)
    contact_email = models.EmailField(blank=True, help_text="Critical flags and endpoint failures are sent here.")
    contact_phone = PhoneNumberField(blank=True, help_text="Escalations of flags nobody acknowledged go here by SMS.")
    website = models.URLField(max_length=300, blank=True, help_text="Shown to clients on their pages.")
    language = models.CharField(
        max_length=2,
        choices=Language,
        default=Language.EN,
        help_text="What client pages, emails and SMS are written in, unless the client chose otherwise.",
    )
    # The events some active endpoint of the clinic subscribes to, kept by the endpoint services in the
    # same transaction: a change nobody listens to then costs no query on the hot path.
    webhook_events = models.JSONField(default=list, blank=True, editable=False)
    policy = models.JSONField(
        default=dict,
        blank=True,
        help_text="Overrides of the screening policy's defaults (see docs/screening.md).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def clean(self) -> None:
        from service.screening.policy import ClinicPolicy, PolicyInvalid

        try:
            ClinicPolicy.from_dict({**(self.policy or {}), "emergency_region": self.emergency_region})
        except PolicyInvalid as exc:
            raise ValidationError({"policy": [e["detail"] for e in exc.errors]}) from None


def hash_api_key(raw: str) -> str:
    # Keys are 256-bit random strings, so a fast hash is enough: there is nothing to brute-force.
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiKeyQuerySet(models.QuerySet):
    def active(self) -> ApiKeyQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiKey(models.Model):
    """A clinic's API key, stored hashed; the raw key is shown once when it is made."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=16, help_text="The first characters of the key, to tell keys apart.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.clinic})"

    @staticmethod
    def generate() -> tuple[str, str, str]:
        """Return (raw key, prefix, hash)."""
        raw = "sg_" + secrets.token_urlsafe(32)
        return raw, raw[:10], hash_api_key(raw)


class ClinicMembership(models.Model):
    """Ties a signed-in user (clinic staff or a therapist) to the one clinic they may see."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="clinic_membership")
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.clinic}"


class IdempotencyRecord(models.Model):
    """The first answer to a POST carrying an Idempotency-Key, replayed for 24 hours."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method_path = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clinic", "key", "method_path"], name="idempotency_unique_key"),
        ]


class WorkerHeartbeat(models.Model):
    """One row per worker host name; /health/ reads the newest."""

    hostname = models.CharField(max_length=255, primary_key=True)
    seen_at = models.DateTimeField()
