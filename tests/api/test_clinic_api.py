"""GET/PATCH /api/v1/clinic: the policy in force, changed per clinic, with fields named on bad input."""

import datetime as dt

import pytest

pytestmark = pytest.mark.django_db


def test_the_policy_in_force_shows_every_default(api, clinic):
    data = api.get("/api/v1/clinic").json()
    assert data["id"] == str(clinic.id)
    assert data["emergency_region"] == "uk"
    assert data["policy"]["flare_pain_threshold"] == 7
    assert data["policy"]["pre_session_hours"] == 48


def test_a_policy_change_changes_the_screening(api, client_person):
    start = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).replace(microsecond=0).isoformat()
    body = {
        "client": str(client_person.id),
        "service": {"name": "Massage", "pressure": "medium"},
        "start": start,
        "answers": {"worst_pain_24h": 7},
    }
    assert api.post("/api/v1/screenings", body, format="json").json()["outcome"] == "reschedule"
    changed = api.patch("/api/v1/clinic", {"policy": {"flare_pain_threshold": 8}}, format="json")
    assert changed.status_code == 200
    assert changed.json()["policy"]["flare_pain_threshold"] == 8
    assert api.post("/api/v1/screenings", body, format="json").json()["outcome"] == "proceed"
    gentle = api.patch("/api/v1/clinic", {"policy": {"flare_action": "gentle_only"}}, format="json").json()
    assert gentle["policy"]["flare_pain_threshold"] == 8  # earlier overrides are kept


@pytest.mark.parametrize(
    ("body", "attr"),
    [
        ({"policy": {"flare_pain_threshold": 42}}, "policy.flare_pain_threshold"),
        ({"policy": {"nonsense": 1}}, "policy.nonsense"),
        ({"timezone": "Mars/Base"}, "timezone"),
        ({"emergency_region": "moon"}, "emergency_region"),
    ],
)
def test_bad_clinic_changes_are_named_and_change_nothing(api, clinic, body, attr):
    response = api.patch("/api/v1/clinic", body, format="json")
    assert response.status_code == 400
    assert attr in {e["attr"] for e in response.json()["errors"]}
    clinic.refresh_from_db()
    assert clinic.policy == {}
    assert clinic.timezone == "Europe/London"


def test_each_clinic_sees_only_itself(api, other_api, clinic, other_clinic):
    assert other_api.get("/api/v1/clinic").json()["id"] == str(other_clinic.id)
    other_api.patch("/api/v1/clinic", {"name": "Renamed"}, format="json")
    clinic.refresh_from_db()
    assert clinic.name == "Harbour Massage Clinic"
