"""How completed sessions went, kept apart from the answers so that figures survive erasure and purges."""

from __future__ import annotations

from django.db import models

from service.models.appointments import Appointment
from service.models.clinics import Clinic


class OutcomeGroup(models.TextChoices):
    THERAPIST = "therapist"
    PRESSURE = "pressure"
    MODIFICATION = "modification"
    RULE = "rule"


class OutcomeFact(models.Model):
    """One completed session under one grouping value (its therapist, its pressure, each of its
    modifications, each rule that fired): counted by the analytics, never holding a health answer."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="outcome_facts")
    day = models.DateField(help_text="The session's date in the clinic's time zone.")
    group = models.CharField(max_length=16, choices=OutcomeGroup)
    key = models.CharField(max_length=64)
    label = models.CharField(max_length=200)
    followup_answered = models.BooleanField(default=False)
    aggravated = models.BooleanField(default=False)
    improved = models.BooleanField(default=False)

    class Meta:
        # A clinic's day is summed again whenever one of its sessions changes (OutcomeDaily).
        indexes = [models.Index(fields=["clinic", "day"], name="outcome_fact_day_idx")]
        constraints = [
            models.UniqueConstraint(fields=["appointment", "group", "key"], name="one_outcome_fact_per_key"),
        ]


class OutcomeDaily(models.Model):
    """The facts of one clinic's day, summed per grouping value: what the analytics read.

    Recomputed from OutcomeFact for a clinic's day whenever one of its sessions changes, so a range
    of two years is a few thousand rows however many sessions it holds.
    """

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    group = models.CharField(max_length=16, choices=OutcomeGroup)
    key = models.CharField(max_length=64)
    sessions = models.PositiveIntegerField(default=0)
    followups_answered = models.PositiveIntegerField(default=0)
    aggravated = models.PositiveIntegerField(default=0)
    improved = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["clinic", "group", "day"], name="outcome_daily_range_idx")]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "day", "group", "key"], name="one_outcome_daily_per_key"),
        ]
