"""The daily purge keeps each clinic's data for its `retention_days`, and not a day longer."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from booking_integration.models import InboundDelivery, Integration
from service.models import Screening
from service.retention import data_purge

pytestmark = pytest.mark.django_db


def _delivery(clinic) -> InboundDelivery:
    integration = Integration.objects.create(clinic=clinic, platform="calcom", signing_secret="s")
    return InboundDelivery.objects.create(integration=integration, body=b'{"x": 1}', signature_ok=True)


def test_answers_and_deliveries_older_than_retention_are_purged(api, clinic, other_clinic, harbour_records):
    clinic.policy = {"retention_days": 30}
    clinic.save()
    old_delivery = _delivery(clinic)
    northside_delivery = _delivery(other_clinic)
    screening = Screening.objects.filter(clinic=clinic).first()

    with time_machine.travel(timezone.now() + dt.timedelta(days=29)):
        assert data_purge()["screening_answers"] == 0
    screening.refresh_from_db()
    assert screening.answers

    with time_machine.travel(timezone.now() + dt.timedelta(days=31)):
        purged = data_purge()

    screening.refresh_from_db()
    assert screening.answers == {}
    assert screening.outcome  # the figures keep what was decided
    assert purged["platform_deliveries_and_webhook_messages"] >= 1
    assert not InboundDelivery.objects.filter(pk=old_delivery.pk).exists()
    assert InboundDelivery.objects.filter(pk=northside_delivery.pk).exists()  # Northside keeps the default 8 years


def test_retention_days_is_a_validated_clinic_setting(api):
    assert api.get("/api/v1/clinic").json()["policy"]["retention_days"] == 2920
    refused = api.patch("/api/v1/clinic", {"policy": {"retention_days": 3}}, format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["attr"] == "policy.retention_days"


def test_the_purge_is_scheduled_daily():
    from service.schedules import PERIODIC_TASKS

    assert PERIODIC_TASKS["data retention purge"] == ("service.tasks.data_retention_purge", 86400)
