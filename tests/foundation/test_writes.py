"""Services own their writes: the client a request names is made in the same transaction as its work."""

from __future__ import annotations

from unittest import mock

import pytest

from service.models import Appointment, Client
from tests.factories import AppointmentFactory

NEW_CLIENT = {"name": "Robin Ash", "email": "robin@example.com", "external_ids": {"calcom": "att-77"}}
SERVICE = {"name": "Relaxing massage", "pressure": "medium", "duration_minutes": 60}


def test_a_screening_that_fails_leaves_no_client_behind(clinic, api):
    api.raise_request_exception = False
    body = {"client": NEW_CLIENT, "service": SERVICE, "start": "2031-03-04T10:00:00Z", "answers": {}}
    with mock.patch("service.screenings.screening_decide", side_effect=RuntimeError("engine failed")):
        response = api.post("/api/v1/screenings", body, format="json")
    assert response.status_code == 500
    assert not Client.objects.filter(clinic=clinic).exists()

    # The same request with a working engine makes the client and its screening together.
    assert api.post("/api/v1/screenings", body, format="json").status_code == 201
    assert Client.objects.filter(clinic=clinic, email="robin@example.com").count() == 1


def test_a_booking_refused_for_a_taken_external_id_makes_no_client(clinic, api):
    AppointmentFactory(clinic=clinic, external_platform="calcom", external_id="bk-1")
    before = Client.objects.filter(clinic=clinic).count()
    body = {
        "client": NEW_CLIENT,
        "service": SERVICE,
        "start": "2031-03-04T10:00:00Z",
        "end": "2031-03-04T11:00:00Z",
        "answers": {},
        "external": {"platform": "calcom", "id": "bk-1"},
    }
    response = api.post("/api/v1/appointments", body, format="json")
    assert response.status_code == 409
    assert "exists already" in response.json()["detail"]
    assert Client.objects.filter(clinic=clinic).count() == before
    assert Appointment.objects.filter(clinic=clinic, external_id="bk-1").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_external_id_race_is_a_conflict_not_an_error(clinic):
    # Two bookings that both passed the existence check: the database's unique constraint decides.
    from service.appointments import appointment_book
    from service.exceptions import Conflict

    first = AppointmentFactory(clinic=clinic, external_platform="calcom", external_id="bk-2")
    with mock.patch("service.appointments.Appointment.objects.filter") as looked_up:
        looked_up.return_value.exists.return_value = False  # the check ran before the other commit
        with pytest.raises(Conflict, match="exists already"):
            appointment_book(
                clinic=clinic,
                client=NEW_CLIENT,
                therapist=None,
                service=SERVICE,
                start=first.start,
                end=first.end,
                answers={},
                external_platform="calcom",
                external_id="bk-2",
            )
    assert not Client.objects.filter(clinic=clinic, email="robin@example.com").exists()


@pytest.mark.django_db(transaction=True)
def test_two_deliveries_creating_the_same_organiser_at_once_share_one_therapist(clinic):
    # Two platform deliveries name one new organiser; the second's insert loses the race on the
    # unique external id: it uses the therapist the first made instead of failing the delivery.
    from service.models import Therapist
    from service.people import therapist_create, therapist_resolve

    first = therapist_create(clinic=clinic, external_ids={"calcom": "3021"}, name="Maya Patel", email="maya@x.example")
    with mock.patch("service.people.therapist_match", side_effect=[None, first]):  # as if it had not committed yet
        found = therapist_resolve(clinic=clinic, external_ids={"calcom": "3021"}, email="maya@x.example", name="Maya")
    assert found.pk == first.pk
    assert Therapist.objects.filter(clinic=clinic).count() == 1
