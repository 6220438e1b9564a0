"""The screening endpoint's hand-written reads give what the ORM gives, scoped to the clinic."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from service.db import rows_by_keys
from service.models import AppointmentStatus, Client, Therapist
from service.people import booking_parties
from service.screenings import qualified_therapists_free
from tests.factories import AppointmentFactory, ClientFactory, TherapistFactory

pytestmark = pytest.mark.django_db


def same_row(found, expected) -> None:
    assert type(found) is type(expected)
    for field in type(expected)._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(expected, field.attname), field.name
    assert found._state.adding is False
    assert found._state.db == "default"


def test_client_and_therapist_come_back_as_the_orm_reads_them_in_one_statement(clinic, client_person, therapist):
    Client.objects.filter(pk=client_person.pk).update(
        phone="+447700900123", history_flagged_at=timezone.now(), language="es"
    )
    with CaptureQueriesContext(connection) as queries:
        client, found_therapist = booking_parties(
            clinic=clinic, client_id=str(client_person.pk), therapist_id=therapist.pk
        )
    assert len(queries) == 1
    # Encrypted, date, JSON, UUID, boolean and time fields all converted as the ORM converts them.
    same_row(client, Client.objects.get(pk=client_person.pk))
    same_row(found_therapist, Therapist.objects.get(pk=therapist.pk))
    assert client.date_of_birth == dt.date(1980, 4, 2)
    assert found_therapist.qualifications == ["sciatica"]


def test_another_clinics_rows_and_an_inactive_therapist_are_not_found(clinic, other_clinic, client_person, therapist):
    stranger = ClientFactory(clinic=other_clinic)
    their_therapist = TherapistFactory(clinic=other_clinic)
    assert booking_parties(clinic=clinic, client_id=stranger.pk, therapist_id=their_therapist.pk) == (None, None)
    # One found, one not: each is answered on its own.
    assert booking_parties(clinic=clinic, client_id=client_person.pk, therapist_id=their_therapist.pk) == (
        client_person,
        None,
    )
    Therapist.objects.filter(pk=therapist.pk).update(active=False)
    assert booking_parties(clinic=clinic, client_id=None, therapist_id=therapist.pk) == (None, None)
    assert booking_parties(clinic=clinic, client_id=None, therapist_id=None) == (None, None)


def test_rows_by_keys_loads_a_saveable_instance(clinic, client_person):
    (client,) = rows_by_keys((Client, {"pk": client_person.pk, "clinic": clinic}))
    client.name = "Alex M."
    client.save(update_fields=["name"])
    assert Client.objects.get(pk=client_person.pk).name == "Alex M."


def test_free_qualified_therapists_are_listed_by_name_and_only_the_clinics(
    clinic, other_clinic, therapist, unqualified_therapist
):
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=3)
    end = start + dt.timedelta(hours=1)
    anna = TherapistFactory(clinic=clinic, name="Anna Lee", qualifications=["sports", "sciatica"])
    busy = TherapistFactory(clinic=clinic, name="Busy Bea")
    TherapistFactory(clinic=clinic, name="Away Ann", active=False)
    TherapistFactory(clinic=other_clinic, name="Northside Nia")
    AppointmentFactory(clinic=clinic, therapist=busy, start=start + dt.timedelta(minutes=30))
    # Appointments that do not make anyone busy: cancelled, or ending as this one starts.
    AppointmentFactory(clinic=clinic, therapist=anna, start=start, status=AppointmentStatus.CANCELLED)
    AppointmentFactory(clinic=clinic, therapist=therapist, start=start - dt.timedelta(hours=1))

    free = qualified_therapists_free(clinic=clinic, start=start, end=end)

    assert [t.name for t in free] == ["Anna Lee", "Sam Rivers"]


def test_the_appointment_being_screened_does_not_make_its_therapist_busy(clinic, therapist):
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=3)
    appointment = AppointmentFactory(clinic=clinic, therapist=therapist, start=start)
    end = appointment.end
    assert qualified_therapists_free(clinic=clinic, start=start, end=end) == []
    assert qualified_therapists_free(clinic=clinic, start=start, end=end, exclude_appointment=appointment) == [
        therapist
    ]


def test_a_lookup_can_take_its_key_from_an_earlier_row(clinic, other_clinic):
    from booking_integration.inbound import integration_create
    from booking_integration.models import Integration
    from service.db import Of
    from service.models import Clinic

    integration = integration_create(clinic=clinic, platform="calcom", signing_secret="whsec-harbour")

    def lookups(**match):
        return (Integration, {"pk": integration.pk, "active": True, **match}), (Clinic, {"pk": Of(0, "clinic")})

    found, its_clinic = rows_by_keys(*lookups())
    assert found == integration
    assert found.signing_secret == "whsec-harbour"  # decrypted as the ORM decrypts it
    same_row(its_clinic, Clinic.objects.get(pk=clinic.pk))
    # No integration, no clinic: the join has nothing to follow.
    assert rows_by_keys(*lookups(platform="square")) == [None, None]
    Integration.objects.filter(pk=integration.pk).update(active=False)
    assert rows_by_keys(*lookups()) == [None, None]
