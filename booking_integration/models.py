"""Integrations with booking platforms, what they send us, and the signed events we send out."""

from __future__ import annotations

import base64
import secrets
import uuid

from django.db import models

from service.crypto import EncryptedJSONField, EncryptedTextField
from service.models import Clinic

# The outbound events (docs/integrations.md, "Outbound: events to your booking system").
WEBHOOK_EVENTS: tuple[str, ...] = (
    "screening.completed",
    "appointment.flagged",
    "flag.acknowledged",
    "flag.escalated",
    "flag.resolved",
    "questionnaire.sent",
    "questionnaire.completed",
    "booking.cancelled_on_platform",
)


class Integration(models.Model):
    """A clinic's connection to one booking platform: where it posts, and how to check and fetch."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="integrations")
    # One of the registry's names, checked where integrations are made (not a column choice, so a
    # new platform needs no migration).
    platform = models.CharField(max_length=32)
    # HMAC schemes need the secret itself to check a signature, so it cannot be hashed: it is encrypted.
    signing_secret = EncryptedTextField(blank=True)
    # Encrypted whole: it may hold the platform's API key and user (see docs/integrations.md).
    settings = EncryptedJSONField(blank=True)
    # A deleted integration is kept inactive so the deliveries it received stay on record.
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "id"]
        indexes = [models.Index(fields=["clinic", "created_at"])]

    def __str__(self) -> str:
        return f"{self.platform} for {self.clinic}"


class InboundStatus(models.TextChoices):
    RECEIVED = "received"
    REFUSED = "refused"
    PROCESSED = "processed"
    IGNORED = "ignored"
    FAILED = "failed"
    MALFORMED = "malformed"
    DUPLICATE = "duplicate"


# Deliveries that hold their dedupe key: a repeat of any of these is a duplicate.
ACCEPTED_STATUSES = (
    InboundStatus.RECEIVED,
    InboundStatus.PROCESSED,
    InboundStatus.IGNORED,
    InboundStatus.FAILED,
)


class InboundDelivery(models.Model):
    """One POST from a booking platform, stored as received before anything acts on it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="deliveries")
    received_at = models.DateTimeField(auto_now_add=True)
    body = models.BinaryField()
    content_type = models.CharField(max_length=200, blank=True)
    # Only the platform's own headers (signature, content type): never Authorization or cookies.
    headers = models.JSONField(default=dict, blank=True)
    signature_ok = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=InboundStatus, default=InboundStatus.RECEIVED)
    dedupe_key = models.CharField(max_length=512, blank=True)
    event_type = models.CharField(max_length=100, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # When the sweep may pick it up: a minute after it came in (the queued task should have run by
    # then), or after a fetch failed, the backoff.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name_plural = "inbound deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "dedupe_key"],
                condition=models.Q(status__in=[s.value for s in ACCEPTED_STATUSES]) & ~models.Q(dedupe_key=""),
                name="inbound_delivery_dedupe_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["integration", "received_at"]),
            models.Index(fields=["next_attempt_at"], condition=models.Q(status="received"), name="inbound_due_idx"),
        ]


def generate_endpoint_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


class WebhookEndpoint(models.Model):
    """A URL of the clinic's booking system that receives our signed events."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=2000)
    events = models.JSONField(default=list)
    description = models.CharField(max_length=500, blank=True)
    # Signing needs the key itself, so it is encrypted, not hashed. Shown once, when made or rotated.
    secret = EncryptedTextField(default=generate_endpoint_secret)
    # After a rotation both secrets sign for a grace period, so the receiver can switch over.
    previous_secret = EncryptedTextField(blank=True)
    rotated_at = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=200, blank=True)
    failing_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "id"]
        indexes = [models.Index(fields=["clinic", "created_at"])]

    def __str__(self) -> str:
        return self.url


def generate_message_id() -> str:
    return "msg_" + uuid.uuid4().hex


class WebhookMessage(models.Model):
    """An event as sent: the payload is stored once, whatever the number of endpoints and retries."""

    id = models.CharField(primary_key=True, max_length=40, default=generate_message_id, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    event_type = models.CharField(max_length=50)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]


class WebhookDeliveryStatus(models.TextChoices):
    PENDING = "pending"
    SENDING = "sending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class WebhookDelivery(models.Model):
    """One message to one endpoint: claimed by one worker per attempt, retried on a schedule."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    message = models.ForeignKey(WebhookMessage, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=WebhookDeliveryStatus, default=WebhookDeliveryStatus.PENDING)
    attempt_count = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["message", "endpoint"], name="webhook_delivery_one_per_endpoint"),
        ]
        indexes = [
            models.Index(fields=["endpoint", "created_at"]),
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status__in=["pending", "sending"]),
                name="webhook_delivery_due_idx",
            ),
        ]


class WebhookAttempt(models.Model):
    """One try at sending a delivery: what came back, how long it took, or why it failed."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempts")
    attempted_at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    response_body = models.TextField(blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["attempted_at", "id"]


class HoldStatus(models.TextChoices):
    PENDING = "pending"
    CANCELLED = "cancelled"
    FAILED = "failed"


class PlatformHold(models.Model):
    """A risky booking to cancel on its platform (the integration's on_hold setting), tried until done."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    appointment = models.OneToOneField("service.Appointment", on_delete=models.CASCADE, related_name="+")
    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="holds")
    # The delivery that booked it: its result shows the hold's outcome too.
    delivery = models.ForeignKey(InboundDelivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    booking_id = models.CharField(max_length=255)
    status = models.CharField(max_length=16, choices=HoldStatus, default=HoldStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["next_attempt_at"], condition=models.Q(status="pending"), name="platform_hold_due_idx"
            ),
        ]
