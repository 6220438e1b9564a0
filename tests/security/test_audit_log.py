"""The audit log: written by the services with the actor, read through the API, never edited, per clinic."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client as Browser

from service.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_acknowledging_through_the_api_records_the_key(api, harbour_records):
    flag = harbour_records["flag"]
    api.post(f"/api/v1/flags/{flag.pk}/acknowledge", {"note": "called the client"}, format="json")
    api.post(f"/api/v1/flags/{flag.pk}/resolve", {"note": "gentle session agreed"}, format="json")

    events = api.get(f"/api/v1/flags/{flag.pk}").json()["events"]

    assert [e["action"] for e in events] == ["raised", "acknowledged", "resolved"]
    assert events[0]["actor"]["type"] == "system"
    assert events[1]["actor"]["type"] == "api_key"
    assert events[1]["note"] == "called the client"
    assert events[2]["note"] == "gentle session agreed"


def test_audit_events_are_listed_and_filtered(api, harbour_records, clinic):
    flag = harbour_records["flag"]
    api.post(f"/api/v1/flags/{flag.pk}/acknowledge", {}, format="json")

    everything = api.get("/api/v1/audit-events").json()["results"]
    for_flag = api.get("/api/v1/audit-events", {"object_type": "flag", "object_id": str(flag.pk)}).json()["results"]
    acknowledged = api.get("/api/v1/audit-events", {"action": "flag.acknowledged"}).json()["results"]

    assert {"flag.raised", "flag.acknowledged", "api_key.issued"} <= {e["action"] for e in everything}
    assert {e["object_id"] for e in for_flag} == {str(flag.pk)}
    assert [e["object_id"] for e in acknowledged] == [str(flag.pk)]
    assert set(everything[0]) == {"id", "at", "action", "actor", "object_type", "object_id", "note"}


def test_another_clinic_sees_none_of_the_log(other_api, harbour_records, northside_records):
    listed = other_api.get("/api/v1/audit-events").json()["results"]
    harbour_event = AuditEvent.objects.filter(object_id=harbour_records["flag"].pk).first()

    assert str(harbour_records["flag"].pk) not in {e["object_id"] for e in listed}
    assert other_api.get(f"/api/v1/audit-events/{harbour_event.pk}").status_code == 404


def test_the_api_offers_no_way_to_change_the_log(api, harbour_records):
    event = AuditEvent.objects.filter(object_id=harbour_records["flag"].pk).first()
    for method in ("put", "patch", "delete"):
        assert getattr(api, method)(f"/api/v1/audit-events/{event.pk}").status_code == 405


def test_an_audit_event_refuses_to_be_edited_or_deleted(harbour_records):
    event = AuditEvent.objects.filter(object_id=harbour_records["flag"].pk).first()
    event.note = "rewritten"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


def test_reading_a_flag_on_the_therapist_page_is_recorded(harbour_staff, harbour_records):
    flag = harbour_records["flag"]
    browser = Browser()
    browser.force_login(harbour_staff)

    page = browser.get(f"/therapist/flags/{flag.pk}")

    assert page.status_code == 200
    viewed = AuditEvent.objects.get(action="flag.viewed", object_id=flag.pk)
    assert viewed.actor_id == str(harbour_staff.pk)


def test_acknowledging_on_the_page_records_the_user_in_the_flags_history(harbour_staff, harbour_records, api):
    flag = harbour_records["flag"]
    browser = Browser()
    browser.force_login(harbour_staff)
    browser.post(f"/therapist/flags/{flag.pk}/acknowledge", {"note": "seen"})

    events = api.get(f"/api/v1/flags/{flag.pk}").json()["events"]
    page = browser.get(f"/therapist/flags/{flag.pk}").content.decode()

    assert events[-1]["action"] == "acknowledged"
    assert events[-1]["actor"] == {"type": "user", "id": str(harbour_staff.pk), "name": "dana@harbour.example"}
    assert 'id="flag-history"' in page
    assert "dana@harbour.example" in page


def test_clinic_changes_are_recorded(api, clinic):
    api.patch("/api/v1/clinic", {"policy": {"flare_pain_threshold": 8}}, format="json")
    event = AuditEvent.objects.get(action="clinic.updated", clinic=clinic)
    assert event.actor_type == "api_key"
    assert event.note == "policy"


def test_the_flags_list_reads_histories_in_a_fixed_number_of_queries(api, clinic, django_assert_max_num_queries):
    from tests.security.conftest import _records

    for n in range(3):
        _records(clinic, f"Batch{n}")
    with django_assert_max_num_queries(6):
        assert len(api.get("/api/v1/flags").json()["results"]) == 3


def test_a_deactivated_therapist_loses_the_flag_pages_at_once(harbour_records):
    therapist = harbour_records["therapist"]
    therapist.user = get_user_model().objects.create_user("lee@harbour.example", password="x" * 12)
    therapist.save()
    browser = Browser()
    browser.force_login(therapist.user)
    assert browser.get(f"/therapist/flags/{harbour_records['flag'].pk}").status_code == 200

    therapist.active = False
    therapist.save()

    assert browser.get(f"/therapist/flags/{harbour_records['flag'].pk}").status_code == 404
    assert browser.get("/therapist/").status_code == 403


def test_a_therapist_opens_only_the_flags_of_their_own_sessions(clinic, harbour_records):
    from tests.security.conftest import _records

    colleague = _records(clinic, "Colleague")
    therapist = harbour_records["therapist"]
    therapist.user = get_user_model().objects.create_user("own@harbour.example", password="x" * 12)
    therapist.save()
    browser = Browser()
    browser.force_login(therapist.user)

    assert browser.get(f"/therapist/flags/{harbour_records['flag'].pk}").status_code == 200
    assert browser.get(f"/therapist/flags/{colleague['flag'].pk}").status_code == 404
