"""POST /api/v1/screenings: decisions, stored screenings, suggestions, idempotency, bad input, tenancy."""

import datetime as dt

import pytest

from service.models import Client, Screening
from tests.factories import AppointmentFactory, ClientFactory, TherapistFactory

pytestmark = pytest.mark.django_db


def in_days(days: float) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(days=days)).replace(microsecond=0).isoformat()


def body(person, **overrides):
    data = {
        "client": str(person.id),
        "service": {"name": "Remedial massage", "pressure": "medium", "duration_minutes": 60},
        "start": in_days(3),
        "answers": {},
    }
    data.update(overrides)
    return data


def test_no_concerns_proceeds_and_is_stored(api, client_person, therapist):
    response = api.post("/api/v1/screenings", body(client_person, therapist_id=str(therapist.id)), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["outcome"] == "proceed"
    assert data["rule_set"] == {"name": "sciatica", "version": "1.1.0"}
    assert data["reasons"] == []
    assert Screening.objects.get(pk=data["id"]).source == "screening"


def test_cauda_equina_sign_refers_urgently_with_uk_emergency_wording(api, client_person):
    response = api.post("/api/v1/screenings", body(client_person, answers={"saddle_numbness": True}), format="json")
    data = response.json()
    assert data["outcome"] == "refer_urgently"
    reason = next(r for r in data["reasons"] if r["rule"] == "RF-CES")
    assert "999" in reason["client_message"] or "A&E" in reason["client_message"]
    assert data["emergency"] is True


def test_unqualified_therapist_gets_qualified_free_colleagues_suggested(
    api, clinic, client_person, therapist, unqualified_therapist
):
    busy = TherapistFactory(clinic=clinic, name="Busy Bea", qualifications=["sciatica"])
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=3)
    AppointmentFactory(clinic=clinic, therapist=busy, start=start - dt.timedelta(minutes=30))
    response = api.post(
        "/api/v1/screenings",
        body(
            client_person,
            therapist_id=str(unqualified_therapist.id),
            start=start.isoformat(),
            answers={"has_sciatica": True},
        ),
        format="json",
    )
    data = response.json()
    assert data["outcome"] == "proceed_with_modifications"
    assert "THER-QUALIFIED" in {r["rule"] for r in data["reasons"]}
    assert data["suggested_therapists"] == [{"id": str(therapist.id), "name": "Sam Rivers"}]


def test_flare_reschedules_with_an_advised_start(api, client_person):
    response = api.post(
        "/api/v1/screenings", body(client_person, start=in_days(1), answers={"flare_last_72h": True}), format="json"
    )
    data = response.json()
    assert data["outcome"] == "reschedule"
    assert data["earliest_advised_start"] is not None


def test_a_client_object_is_matched_by_email_then_created(api, client_person):
    matched = api.post(
        "/api/v1/screenings", body(client_person, client={"name": "Alex", "email": "ALEX@example.com"}), format="json"
    )
    assert matched.status_code == 201
    assert Client.objects.count() == 1
    created = api.post(
        "/api/v1/screenings",
        body(client_person, client={"name": "New Person", "email": "new@example.com", "external_ids": {"calcom": "9"}}),
        format="json",
    )
    assert created.status_code == 201
    assert Client.objects.get(email="new@example.com").external_refs.get().external_id == "9"


@pytest.mark.parametrize(
    ("answers", "attr"),
    [
        ({"leg_pain_now": 11}, "answers.leg_pain_now"),
        ({"not_a_question": True}, "answers.not_a_question"),
        ({"has_sciatica": "yes"}, "answers.has_sciatica"),
        ({"trauma_recent": "huge"}, "answers.trauma_recent"),
    ],
)
def test_bad_answers_are_400_naming_the_field_and_store_nothing(api, client_person, answers, attr):
    response = api.post("/api/v1/screenings", body(client_person, answers=answers), format="json")
    assert response.status_code == 400
    assert attr in {e["attr"] for e in response.json()["errors"]}
    assert not Screening.objects.exists()


@pytest.mark.parametrize(
    ("change", "attr"),
    [
        ({"start": "2026-12-01T10:00:00"}, "start"),
        ({"service": {"name": "X", "pressure": "crushing"}}, "service.pressure"),
        ({"client": "00000000-0000-0000-0000-000000000000"}, "client"),
        ({"therapist_id": "00000000-0000-0000-0000-000000000000"}, "therapist_id"),
    ],
)
def test_bad_request_fields_are_named(api, client_person, change, attr):
    response = api.post("/api/v1/screenings", body(client_person, **change), format="json")
    assert response.status_code == 400
    assert attr in {e["attr"] for e in response.json()["errors"]}


def test_idempotency_key_replays_the_first_answer_and_creates_nothing(api, client_person):
    first = api.post("/api/v1/screenings", body(client_person), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = api.post("/api/v1/screenings", body(client_person), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Screening.objects.count() == 1
    other = api.post(
        "/api/v1/screenings",
        body(client_person, answers={"has_sciatica": True}),
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert other.status_code == 409


def test_another_clinics_client_and_therapist_are_unknown(api, other_clinic):
    stranger = ClientFactory(clinic=other_clinic)
    their_therapist = TherapistFactory(clinic=other_clinic)
    response = api.post("/api/v1/screenings", body(stranger, therapist_id=str(their_therapist.id)), format="json")
    assert response.status_code == 400
    assert {"client", "therapist_id"} <= {e["attr"] for e in response.json()["errors"]}
