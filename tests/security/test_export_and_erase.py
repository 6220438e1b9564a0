"""A client's data on request: exported whole, erased for good, counts kept, and only in their own clinic."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from service.models import (
    Appointment,
    AuditEvent,
    Client,
    ClientExternalId,
    Flag,
    Invitation,
    InvitationStatus,
    Notification,
    Screening,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def alex(harbour_records):
    client = harbour_records["client"]
    ClientExternalId.objects.create(clinic=client.clinic, client=client, platform="calcom", external_id="cal-77")
    Flag.objects.filter(client=client).update(note="Alex mentioned a new numb patch")
    return client


def test_export_holds_everything_about_the_client(api, alex, harbour_records):
    response = api.get(f"/api/v1/clients/{alex.pk}/export")

    assert response.status_code == 200
    document = response.json()
    assert document["profile"]["email"] == alex.email
    assert document["profile"]["external_ids"] == {"calcom": "cal-77"}
    assert [a["id"] for a in document["appointments"]] == [str(harbour_records["appointment"].pk)]
    assert document["screenings"][0]["answers"]["concerns"] == "Harbour private words"
    assert document["flags"][0]["events"][0]["action"] == "raised"
    assert {q["kind"] for q in document["questionnaires"]} >= {"pre_session"}
    assert AuditEvent.objects.filter(action="client.exported", object_id=alex.pk, actor_type="api_key").exists()
    assert response["Cache-Control"] == "no-store"


def test_erasure_removes_personal_data_and_answers_for_good(api, alex, harbour_records):
    response = api.post(f"/api/v1/clients/{alex.pk}/erase")

    assert response.status_code == 200
    body = response.json()
    assert body["erased"] is True
    assert body["removed"]["external_ids"] == 1
    assert body["removed"]["screening_answers"] >= 1
    assert body["removed"]["questionnaires_cancelled"] >= 1
    stored = Client.objects.get(pk=alex.pk)
    assert (stored.name, stored.email, str(stored.phone or ""), stored.date_of_birth) == ("", "", "", None)
    assert not ClientExternalId.objects.filter(client=alex).exists()
    assert not Screening.objects.filter(client=alex).exclude(answers={}).exists()
    assert not Appointment.objects.filter(client=alex).exclude(booking_answers={}).exists()
    assert not Flag.objects.filter(client=alex).exclude(note="").exists()
    assert not Invitation.objects.filter(appointment__client=alex, status=InvitationStatus.SCHEDULED).exists()
    assert not Notification.objects.filter(recipient=alex.email, status="pending").exists()
    assert AuditEvent.objects.filter(action="client.erased", object_id=alex.pk).exists()


def test_nothing_of_the_erased_client_is_left_in_any_table(api, alex):
    words = [alex.name, alex.email, "Harbour private words", "cal-77", "numb patch"]
    api.post(f"/api/v1/clients/{alex.pk}/erase")

    with connection.cursor() as cursor:
        tables = [t for t in connection.introspection.table_names(cursor) if t.startswith(("service_", "booking_"))]
        for table in tables:
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from the introspection
            dump = json.dumps(cursor.fetchall(), default=str)
            for word in words:
                assert word not in dump, (table, word)


def test_an_erased_client_reads_as_erased_and_still_counts(api, alex, harbour_records):
    api.post(f"/api/v1/clients/{alex.pk}/erase")

    assert api.get(f"/api/v1/clients/{alex.pk}").json() == {"id": str(alex.pk), "erased": True}
    appointment = api.get(f"/api/v1/appointments/{harbour_records['appointment'].pk}").json()
    assert appointment["client"] == {"id": str(alex.pk), "erased": True}
    assert appointment["screening"]["outcome"] == Screening.objects.filter(client=alex).first().outcome
    assert api.patch(f"/api/v1/clients/{alex.pk}", {"name": "Back"}, format="json").status_code == 409


def test_a_second_erasure_is_harmless(api, alex):
    api.post(f"/api/v1/clients/{alex.pk}/erase")
    again = api.post(f"/api/v1/clients/{alex.pk}/erase")
    assert again.status_code == 200
    assert again.json()["removed"]["profile"] == 0


def test_another_clinic_can_neither_export_nor_erase(other_api, alex):
    assert other_api.get(f"/api/v1/clients/{alex.pk}/export").status_code == 404
    assert other_api.post(f"/api/v1/clients/{alex.pk}/erase").status_code == 404
    assert Client.objects.get(pk=alex.pk).email == alex.email
