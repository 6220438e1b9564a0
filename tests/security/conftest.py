"""Personas for the security tests: Harbour's staff member, and a full day of records in both clinics."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone


@pytest.fixture
def harbour_staff(clinic):
    """Dana, Harbour's front desk, made as `create_staff` makes every clinic's staff."""
    from service.clinics import staff_create

    return staff_create(clinic=clinic, email="dana@harbour.example", password="harbour front desk 1")


@pytest.fixture
def staff_browser(client, harbour_staff):
    client.force_login(harbour_staff)
    return client


def _records(clinic, label: str) -> dict:
    """A therapist, a client, a booked appointment with a warning flag, and an API key, in one clinic."""
    from service.appointments import appointment_book
    from service.clinics import api_key_create
    from service.models import Flag
    from tests.factories import ClientFactory, TherapistFactory

    therapist = TherapistFactory(clinic=clinic, name=f"{label} Therapist", qualifications=["sciatica"])
    client = ClientFactory(clinic=clinic, name=f"{label} Client", email=f"{label.lower()}@client.example")
    start = timezone.now() + dt.timedelta(days=3)
    appointment = appointment_book(
        clinic=clinic,
        client=client,
        therapist=therapist,
        service={"name": "Remedial", "pressure": "medium", "duration_minutes": 60},
        start=start,
        end=start + dt.timedelta(hours=1),
        answers={"has_sciatica": True, "flare_last_72h": True, "concerns": f"{label} private words"},
    )
    key, _ = api_key_create(clinic=clinic, name=f"{label} key")
    return {
        "therapist": therapist,
        "client": client,
        "appointment": appointment,
        "flag": Flag.objects.filter(appointment=appointment).first(),
        "key": key,
    }


@pytest.fixture
def harbour_records(clinic):
    return _records(clinic, "Harbour")


@pytest.fixture
def northside_records(other_clinic):
    return _records(other_clinic, "Northside")
