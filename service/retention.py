"""The daily purge: answers, message bodies and platform deliveries older than each clinic's `retention_days`."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from service import events
from service.models import (
    Appointment,
    Clinic,
    Notification,
    NotificationStatus,
    QuestionnaireResponse,
    Screening,
)
from service.screening.policy import ClinicPolicy, PolicyInvalid

logger = logging.getLogger("sessionguard.retention")


def _retention_days(clinic: Clinic) -> int:
    try:
        return ClinicPolicy.from_dict(clinic.policy or {}).retention_days
    except PolicyInvalid:
        return ClinicPolicy().retention_days  # a broken policy keeps the default, it never purges early


@transaction.atomic
def clinic_data_purge(*, clinic: Clinic, now: dt.datetime | None = None) -> dict[str, int]:
    """Clear what is older than the clinic's retention; outcomes, flags and times stay for the figures."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=_retention_days(clinic))
    purged = {
        "screening_answers": Screening.objects.filter(clinic=clinic, created_at__lt=cutoff)
        .exclude(answers={})
        .update(answers={}),
        "questionnaire_answers": QuestionnaireResponse.objects.filter(clinic=clinic, submitted_at__lt=cutoff)
        .exclude(answers={})
        .update(answers={}),
        "booking_answers": Appointment.objects.filter(clinic=clinic, start__lt=cutoff)
        .exclude(booking_answers={})
        .update(booking_answers={}),
        "message_bodies": Notification.objects.filter(
            clinic=clinic,
            created_at__lt=cutoff,
            status__in=(NotificationStatus.SENT, NotificationStatus.FAILED),
        )
        .exclude(context={})
        .update(context={}),
    }
    for _, (name, count) in events.retention_due.send(sender=Clinic, clinic=clinic, cutoff=cutoff):
        purged[name] = count
    return purged


def data_purge(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Every clinic's purge, each in its own transaction; logs counts only."""
    totals: dict[str, int] = {}
    for clinic in Clinic.objects.only("id", "policy").iterator():
        for name, count in clinic_data_purge(clinic=clinic, now=now).items():
            totals[name] = totals.get(name, 0) + count
    logger.info("retention purge: %s", ", ".join(f"{k}={v}" for k, v in sorted(totals.items())) or "nothing")
    return totals
