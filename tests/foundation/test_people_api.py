"""Therapists and clients through the API: create, read, list, update, deactivate, validation."""

import pytest

from service.models import Therapist
from tests.factories import TherapistFactory

pytestmark = pytest.mark.django_db


def test_create_and_read_a_therapist(api):
    body = {
        "name": "Sam Rivers",
        "email": "sam@harbour.example",
        "phone": "+44 7911 123456",
        "qualifications": ["sciatica", "prenatal", "sciatica"],
        "alert_channels": ["email", "sms"],
        "external_ids": {"calcom": "42"},
    }
    created = api.post("/api/v1/therapists", body, format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["phone"] == "+447911123456"
    assert data["qualifications"] == ["sciatica", "prenatal"]
    assert data["external_ids"] == {"calcom": "42"}
    assert data["active"] is True
    assert api.get(f"/api/v1/therapists/{data['id']}").json() == data


def test_update_changes_only_what_is_sent_and_can_remove_an_external_id(api, clinic):
    therapist = api.post(
        "/api/v1/therapists", {"name": "Jo", "external_ids": {"calcom": "7", "square": "TM1"}}, format="json"
    ).json()
    response = api.patch(
        f"/api/v1/therapists/{therapist['id']}",
        {"qualifications": ["sciatica"], "external_ids": {"calcom": ""}},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["name"] == "Jo"
    assert response.json()["qualifications"] == ["sciatica"]
    assert response.json()["external_ids"] == {"square": "TM1"}


def test_deactivate_keeps_the_therapist(api, therapist):
    response = api.post(f"/api/v1/therapists/{therapist.id}/deactivate")
    assert response.status_code == 200
    assert response.json()["active"] is False
    assert Therapist.objects.filter(pk=therapist.pk, active=False).exists()
    assert api.get("/api/v1/therapists?active=false").json()["results"][0]["id"] == str(therapist.id)


@pytest.mark.parametrize(
    ("body", "attr"),
    [
        ({"name": "X", "phone": "12345"}, "phone"),
        ({"name": "X", "email": "not-an-email"}, "email"),
        ({"name": "X", "qualifications": ["reiki"]}, "qualifications.0"),
        ({"name": "X", "alert_channels": ["email", "pager"]}, "alert_channels.1"),
        ({"name": "X", "alert_channels": ["sms"]}, "alert_channels"),
        ({"name": "X", "external_ids": {"Cal Com": "1"}}, "external_ids.Cal Com"),
        ({"email": "x@example.com"}, "name"),
    ],
)
def test_bad_therapist_input_is_400_naming_the_field(api, body, attr):
    response = api.post("/api/v1/therapists", body, format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 400
    assert attr in {error["attr"] for error in problem["errors"]}
    assert not Therapist.objects.exists()


def test_external_ids_are_unique_per_clinic_and_platform(api, clinic, other_api):
    first = api.post("/api/v1/therapists", {"name": "A", "external_ids": {"calcom": "42"}}, format="json")
    assert first.status_code == 201
    clash = api.post("/api/v1/therapists", {"name": "B", "external_ids": {"calcom": "42"}}, format="json")
    assert clash.status_code == 400
    assert clash.json()["errors"][0]["attr"] == "external_ids.calcom"
    # Another clinic may use the same id on the same platform.
    assert (
        other_api.post("/api/v1/therapists", {"name": "C", "external_ids": {"calcom": "42"}}, format="json").status_code
        == 201
    )


def test_bad_update_changes_nothing(api, therapist):
    response = api.patch(f"/api/v1/therapists/{therapist.id}", {"name": "New", "phone": "nope"}, format="json")
    assert response.status_code == 400
    therapist.refresh_from_db()
    assert therapist.name == "Sam Rivers"


def test_create_a_client_and_validate_contact_channels(api):
    ok = api.post(
        "/api/v1/clients",
        {"name": "Alex", "email": "alex@example.com", "date_of_birth": "1980-04-02", "contact_channels": ["email"]},
        format="json",
    )
    assert ok.status_code == 201
    assert ok.json()["date_of_birth"] == "1980-04-02"
    bad_date = api.post("/api/v1/clients", {"name": "Bo", "date_of_birth": "02/04/1980"}, format="json")
    assert bad_date.status_code == 400
    assert [e["attr"] for e in bad_date.json()["errors"]] == ["date_of_birth"]
    no_phone = api.post("/api/v1/clients", {"name": "Bo", "contact_channels": ["sms"]}, format="json")
    assert no_phone.status_code == 400
    assert [e["attr"] for e in no_phone.json()["errors"]] == ["contact_channels"]


def test_malformed_json_is_a_problem_400(api):
    response = api.generic("POST", "/api/v1/clients", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


def test_lists_are_cursor_paginated_with_constant_queries(api, clinic, django_assert_max_num_queries):
    TherapistFactory.create_batch(3, clinic=clinic)
    with django_assert_max_num_queries(4):
        first = api.get("/api/v1/therapists?page_size=2").json()
    assert len(first["results"]) == 2
    assert first["next"]
    TherapistFactory.create_batch(30, clinic=clinic)
    with django_assert_max_num_queries(4):
        page = api.get("/api/v1/therapists?page_size=50").json()
    assert len(page["results"]) == 33
    assert set(page) == {"next", "previous", "results"}
