"""Flags: list with filters, read, acknowledge and resolve with a note, tenancy."""

import pytest

from service.flags import flag_raise
from service.models import Flag
from tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def flag(clinic, therapist):
    appointment = AppointmentFactory(clinic=clinic, therapist=therapist)
    reasons = [{"rule": "F-AGGRAVATION", "outcome": "reschedule", "client_message": "c", "therapist_message": "t"}]
    return flag_raise(
        appointment=appointment, severity="warning", source="post_session", kind="aggravation", reasons=reasons
    )


def test_list_and_filter_flags(api, clinic, flag, unqualified_therapist):
    other = AppointmentFactory(clinic=clinic, therapist=unqualified_therapist)
    flag_raise(appointment=other, severity="info", source="screening", kind="screening", reasons=[])
    rows = api.get("/api/v1/flags").json()["results"]
    assert len(rows) == 2
    assert [r["id"] for r in api.get("/api/v1/flags?severity=warning").json()["results"]] == [str(flag.id)]
    assert [
        r["id"] for r in api.get(f"/api/v1/flags?therapist_id={flag.appointment.therapist_id}").json()["results"]
    ] == [str(flag.id)]
    assert [r["id"] for r in api.get(f"/api/v1/flags?appointment_id={other.id}").json()["results"]] != [str(flag.id)]
    assert api.get("/api/v1/flags?status=acknowledged").json()["results"] == []
    data = api.get(f"/api/v1/flags/{flag.id}").json()
    assert data["appointment_id"] == str(flag.appointment_id)
    assert data["client_id"] == str(flag.client_id)
    assert data["reasons"][0]["rule"] == "F-AGGRAVATION"


def test_acknowledge_then_resolve_with_notes(api, flag):
    acknowledged = api.post(f"/api/v1/flags/{flag.id}/acknowledge", {"note": "Called the client"}, format="json")
    assert acknowledged.status_code == 200
    assert acknowledged.json()["status"] == "acknowledged"
    assert acknowledged.json()["acknowledged_at"]
    resolved = api.post(f"/api/v1/flags/{flag.id}/resolve", {"note": "Lighter session agreed"}, format="json")
    assert resolved.json()["status"] == "resolved"
    assert resolved.json()["note"] == "Called the client\nLighter session agreed"
    again = api.post(f"/api/v1/flags/{flag.id}/acknowledge", {}, format="json")
    assert again.status_code == 409


def test_a_too_long_note_is_400_naming_note(api, flag):
    response = api.post(f"/api/v1/flags/{flag.id}/resolve", {"note": "x" * 2001}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "note"
    assert Flag.objects.get(pk=flag.pk).status == "open"


def test_another_clinic_gets_404_for_flags(flag, other_api):
    assert other_api.get(f"/api/v1/flags/{flag.id}").status_code == 404
    assert other_api.post(f"/api/v1/flags/{flag.id}/acknowledge", {}, format="json").status_code == 404
    assert other_api.post(f"/api/v1/flags/{flag.id}/resolve", {}, format="json").status_code == 404
    assert other_api.get("/api/v1/flags").json()["results"] == []
    assert Flag.objects.get(pk=flag.pk).status == "open"
