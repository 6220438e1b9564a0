"""Appointments: book and screen, list with filters and cursor, read, and the four actions."""

import datetime as dt

import pytest

from service.models import Appointment, Flag, Screening
from tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db

START = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=3)


def booking(person, **overrides):
    data = {
        "client": str(person.id),
        "service": {"name": "Remedial massage", "pressure": "medium", "duration_minutes": 60},
        "start": START.isoformat(),
        "end": (START + dt.timedelta(hours=1)).isoformat(),
        "answers": {"has_sciatica": True, "leg_pain_now": 3},
    }
    data.update(overrides)
    return data


def test_booking_stores_the_appointment_with_its_first_screening(api, client_person, therapist):
    response = api.post(
        "/api/v1/appointments",
        booking(client_person, therapist_id=str(therapist.id), external={"platform": "calcom", "id": "bk-1"}),
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "booked"
    assert data["client"]["id"] == str(client_person.id)
    assert data["therapist"]["id"] == str(therapist.id)
    assert data["service"] == {"name": "Remedial massage", "pressure": "medium", "duration_minutes": 60}
    assert data["screening"]["outcome"] == "proceed"
    assert data["external"] == {"platform": "calcom", "id": "bk-1", "reschedule_url": "", "hold": None}
    assert data["flags"] == []
    assert api.get(f"/api/v1/appointments/{data['id']}").json() == data


def test_a_refer_urgently_booking_is_kept_with_the_decision_and_a_critical_flag(api, client_person):
    response = api.post("/api/v1/appointments", booking(client_person, answers={"bladder_change": True}), format="json")
    assert response.status_code == 201
    data = response.json()
    assert data["screening"]["outcome"] == "refer_urgently"
    assert data["booked_against_advice"] is True
    assert [f["severity"] for f in data["flags"]] == ["critical"]
    assert data["flags"][0]["source"] == "screening"


@pytest.mark.parametrize(
    ("answers", "severity"),
    [
        ({"cancer_history": True, "night_pain_unrelieved": True}, "warning"),
        ({"flare_last_72h": True}, "warning"),
        ({"blood_thinners": True}, "info"),
        ({}, None),
    ],
)
def test_the_flag_severity_follows_the_outcome(api, client_person, answers, severity):
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(hours=30)
    data = api.post(
        "/api/v1/appointments",
        booking(
            client_person, answers=answers, start=start.isoformat(), end=(start + dt.timedelta(hours=1)).isoformat()
        ),
        format="json",
    ).json()
    assert [f["severity"] for f in data["flags"]] == ([severity] if severity else [])


def test_end_before_start_is_400_naming_end(api, client_person):
    response = api.post("/api/v1/appointments", booking(client_person, end=START.isoformat()), format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "end"
    assert not Appointment.objects.exists()


def test_the_same_external_booking_twice_is_a_conflict(api, client_person):
    body = booking(client_person, external={"platform": "calcom", "id": "bk-9"})
    assert api.post("/api/v1/appointments", body, format="json").status_code == 201
    assert api.post("/api/v1/appointments", body, format="json").status_code == 409
    assert Appointment.objects.count() == 1


def test_idempotent_booking_creates_one_appointment(api, client_person):
    first = api.post("/api/v1/appointments", booking(client_person), format="json", HTTP_IDEMPOTENCY_KEY="book-1")
    second = api.post("/api/v1/appointments", booking(client_person), format="json", HTTP_IDEMPOTENCY_KEY="book-1")
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert Appointment.objects.count() == 1
    assert Screening.objects.count() == 1


def test_reschedule_moves_and_screens_again(api, client_person):
    appointment = api.post("/api/v1/appointments", booking(client_person), format="json").json()
    new_start = START + dt.timedelta(days=2)
    response = api.post(
        f"/api/v1/appointments/{appointment['id']}/reschedule",
        {"start": new_start.isoformat(), "end": (new_start + dt.timedelta(hours=1)).isoformat()},
        format="json",
    )
    assert response.status_code == 200
    data = response.json()
    assert dt.datetime.fromisoformat(data["start"]) == new_start
    assert data["screening"]["id"] != appointment["screening"]["id"]
    assert Screening.objects.filter(appointment_id=appointment["id"]).count() == 2


def test_reschedule_names_bad_fields(api, client_person):
    appointment = api.post("/api/v1/appointments", booking(client_person), format="json").json()
    response = api.post(f"/api/v1/appointments/{appointment['id']}/reschedule", {"start": "tomorrow"}, format="json")
    assert response.status_code == 400
    assert {"start", "end"} <= {e["attr"] for e in response.json()["errors"]}


def test_cancel_complete_and_no_show_follow_the_status_rules(api, client_person):
    ids = [api.post("/api/v1/appointments", booking(client_person), format="json").json()["id"] for _ in range(3)]
    assert api.post(f"/api/v1/appointments/{ids[0]}/cancel").json()["status"] == "cancelled"
    assert api.post(f"/api/v1/appointments/{ids[0]}/cancel").status_code == 200  # asked twice: same answer
    assert api.post(f"/api/v1/appointments/{ids[0]}/complete").status_code == 409
    assert api.post(f"/api/v1/appointments/{ids[1]}/complete").json()["status"] == "completed"
    assert api.post(f"/api/v1/appointments/{ids[2]}/no-show").json()["status"] == "no_show"
    moved = api.post(
        f"/api/v1/appointments/{ids[0]}/reschedule",
        {"start": START.isoformat(), "end": (START + dt.timedelta(hours=2)).isoformat()},
        format="json",
    )
    assert moved.status_code == 409
    assert moved["Content-Type"] == "application/problem+json"


def test_list_filters(api, clinic, client_person, therapist, unqualified_therapist):
    a = AppointmentFactory(clinic=clinic, client=client_person, therapist=therapist, start=START)
    b = AppointmentFactory(
        clinic=clinic, client=client_person, therapist=unqualified_therapist, start=START + dt.timedelta(days=1)
    )
    c = AppointmentFactory(clinic=clinic, therapist=therapist, start=START + dt.timedelta(days=2), status="cancelled")
    Flag.objects.create(clinic=clinic, appointment=b, client=b.client, severity="warning", source="staff", reasons=[])

    def ids(query: str) -> list[str]:
        response = api.get(f"/api/v1/appointments?{query}")
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids("") == [str(a.id), str(b.id), str(c.id)]
    assert ids("status=cancelled") == [str(c.id)]
    assert ids("flagged=true") == [str(b.id)]
    assert ids(f"therapist_id={therapist.id}") == [str(a.id), str(c.id)]
    assert ids(f"client_id={client_person.id}") == [str(a.id), str(b.id)]
    after = (START + dt.timedelta(hours=12)).isoformat().replace("+00:00", "Z")
    assert ids(f"start_after={after}") == [str(b.id), str(c.id)]
    assert ids(f"start_before={after}") == [str(a.id)]
    bad = api.get("/api/v1/appointments?status=lost")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["attr"] == "status"


def test_list_query_count_does_not_grow(api, clinic, django_assert_max_num_queries):
    AppointmentFactory.create_batch(2, clinic=clinic)
    with django_assert_max_num_queries(10) as small:
        api.get("/api/v1/appointments")
    AppointmentFactory.create_batch(25, clinic=clinic)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = api.get("/api/v1/appointments").json()
    assert len(page["results"]) == 27


def test_cursor_pagination_walks_every_row_once(api, clinic):
    AppointmentFactory.create_batch(7, clinic=clinic)
    seen, url = [], "/api/v1/appointments?page_size=3"
    while url:
        page = api.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert len(seen) == len(set(seen)) == 7


def test_another_clinic_gets_404_on_every_appointment_verb(clinic, other_api):
    appointment = AppointmentFactory(clinic=clinic)
    base = f"/api/v1/appointments/{appointment.id}"
    assert other_api.get(base).status_code == 404
    for verb in ("cancel", "complete", "no-show"):
        assert other_api.post(f"{base}/{verb}").status_code == 404
    later = {"start": START.isoformat(), "end": (START + dt.timedelta(hours=1)).isoformat()}
    assert other_api.post(f"{base}/reschedule", later, format="json").status_code == 404
    assert other_api.get("/api/v1/appointments").json()["results"] == []
    appointment.refresh_from_db()
    assert appointment.status == "booked"
