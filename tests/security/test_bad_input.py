"""The API's answer to strange input: always a 4xx problem+json naming the field, never a 500."""

from __future__ import annotations

import json

import pytest

from service.models import Appointment

pytestmark = pytest.mark.django_db


def _post_raw(api, path: str, body: bytes):
    return api.generic("POST", path, body, content_type="application/json")


def test_a_body_nested_100000_deep_is_a_400(api):
    body = b'{"a":' * 100_000 + b"1" + b"}" * 100_000
    response = _post_raw(api, "/api/v1/screenings", body)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


def test_a_body_nested_deeper_than_any_request_needs_is_a_400(api):
    nested: object = "deep"
    for _ in range(25):
        nested = [nested]
    body = json.dumps({"answers": {"concerns": nested}})
    assert _post_raw(api, "/api/v1/screenings", body.encode()).status_code == 400


def test_a_nul_in_any_string_is_refused_naming_the_field(api, clinic):
    body = {"platform": "calcom", "signing_secret": "s", "settings": {"answer_map": {"Pain\u0000": "leg_pain_now"}}}
    response = api.post("/api/v1/integrations", body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "settings.answer_map"


def test_a_body_over_the_size_limit_is_a_problem_json_413(api, settings):
    body = b'{"x": "' + b"a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10) + b'"}'
    response = _post_raw(api, "/api/v1/screenings", body)
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"


def test_an_endpoint_created_inactive_is_stored_inactive(api):
    response = api.post(
        "/api/v1/webhook-endpoints",
        {"url": "https://booking.example/hook", "events": ["screening.completed"], "active": False},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["active"] is False


@pytest.mark.parametrize("start", ["9999-12-31T23:00:00+00:00", "0001-01-01T10:00:00+00:00", "1999-01-01T10:00:00Z"])
def test_a_start_far_from_today_is_a_400_naming_it(api, therapist, start):
    body = {
        "client": {"name": "Alex", "email": "alex@example.com"},
        "therapist_id": str(therapist.pk),
        "service": {"name": "Remedial", "pressure": "medium", "duration_minutes": 60},
        "start": start,
        "end": start.replace("T10", "T11").replace("T23", "T23"),
        "answers": {},
    }
    response = api.post("/api/v1/appointments", body, format="json")
    assert response.status_code == 400
    assert "start" in {e["attr"] for e in response.json()["errors"]}
    assert not Appointment.objects.exists()
