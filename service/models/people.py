"""Therapists and clients of a clinic, with their ids on booking platforms."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from phonenumber_field.modelfields import PhoneNumberField

from service.models.clinics import Clinic, Language

QUALIFICATIONS = (
    "sciatica",
    "prenatal",
    "deep_tissue",
    "sports",
    "lymphatic",
    "oncology",
    "myofascial",
    "trigger_point",
)
ALERT_CHANNELS = ("email", "sms", "webhook")
CONTACT_CHANNELS = ("email", "sms")


class Therapist(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="therapists")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = PhoneNumberField(blank=True)
    qualifications = models.JSONField(default=list, blank=True)
    alert_channels = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="therapist"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["clinic", "email"])]

    def __str__(self) -> str:
        return self.name


class Client(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="clients")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = PhoneNumberField(blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    contact_channels = models.JSONField(default=list, blank=True, help_text="Channels the client agreed to.")
    # "" follows the clinic's language.
    language = models.CharField(max_length=2, choices=Language, blank=True)
    # When the client's newest aggravation or bruising flag was raised: the history rules read the
    # flags only when this falls inside their window, so most screenings skip that query.
    history_flagged_at = models.DateTimeField(null=True, blank=True, editable=False)
    active = models.BooleanField(default=True)
    # Set when the client's personal data and answers were removed for good; the row stays for counts.
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["clinic", "email"])]

    def __str__(self) -> str:
        return self.name


class TherapistExternalId(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    therapist = models.ForeignKey(Therapist, on_delete=models.CASCADE, related_name="external_refs")
    platform = models.CharField(max_length=32)
    external_id = models.CharField(max_length=255)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clinic", "platform", "external_id"], name="therapist_external_id_unique"),
            models.UniqueConstraint(fields=["therapist", "platform"], name="therapist_one_id_per_platform"),
        ]


class ClientExternalId(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="external_refs")
    platform = models.CharField(max_length=32)
    external_id = models.CharField(max_length=255)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clinic", "platform", "external_id"], name="client_external_id_unique"),
            models.UniqueConstraint(fields=["client", "platform"], name="client_one_id_per_platform"),
        ]
