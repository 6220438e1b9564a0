"""The admin for Harbour's staff shows, offers and acts on Harbour's rows only; consequences go through services."""

from __future__ import annotations

import pytest
from django.urls import reverse

from service.models import ApiKey, AppointmentStatus, AuditEvent, Flag, FlagStatus, Therapist

pytestmark = pytest.mark.django_db

SCOPED_MODELS = [
    ("service", "clinic"),
    ("service", "apikey"),
    ("service", "therapist"),
    ("service", "client"),
    ("service", "clinicmembership"),
    ("service", "appointment"),
    ("service", "screening"),
    ("service", "flag"),
    ("service", "auditevent"),
    ("booking_integration", "integration"),
    ("booking_integration", "inbounddelivery"),
    ("booking_integration", "webhookendpoint"),
    ("booking_integration", "webhookdelivery"),
]


@pytest.fixture
def both_clinics_full(clinic, other_clinic, harbour_records, northside_records):
    from booking_integration.models import Integration, WebhookEndpoint

    for owner in (clinic, other_clinic):
        Integration.objects.create(clinic=owner, platform="calcom", signing_secret=f"{owner.name} secret")
        WebhookEndpoint.objects.create(clinic=owner, url=f"https://{owner.pk}.example/hook", events=["*"])
    return harbour_records, northside_records


@pytest.mark.parametrize(("app", "model"), SCOPED_MODELS)
def test_no_list_of_the_admin_shows_another_clinic(staff_browser, both_clinics_full, other_clinic, app, model):
    page = staff_browser.get(reverse(f"admin:{app}_{model}_changelist"))
    assert page.status_code == 200, (app, model)
    text = page.content.decode()
    assert "Northside" not in text
    assert str(other_clinic.pk) not in text


def test_another_clinics_rows_cannot_be_opened(staff_browser, both_clinics_full):
    _, northside = both_clinics_full
    for obj in (northside["therapist"], northside["client"], northside["appointment"], northside["flag"]):
        url = reverse(f"admin:service_{obj._meta.model_name}_change", args=[obj.pk])
        assert staff_browser.get(url).status_code in (302, 404), url


def test_the_key_action_on_another_clinic_is_refused(staff_browser, both_clinics_full, other_clinic):
    keys_before = ApiKey.objects.filter(clinic=other_clinic).count()
    staff_browser.post(
        reverse("admin:service_clinic_changelist"),
        {"action": "issue_api_key", "_selected_action": [str(other_clinic.pk)]},
        follow=True,
    )
    assert ApiKey.objects.filter(clinic=other_clinic).count() == keys_before


def test_revoking_another_clinics_key_is_refused(staff_browser, both_clinics_full):
    _, northside = both_clinics_full
    staff_browser.post(
        reverse("admin:service_apikey_changelist"),
        {"action": "revoke", "_selected_action": [str(northside["key"].pk)]},
    )
    northside["key"].refresh_from_db()
    assert northside["key"].revoked_at is None


def test_a_key_issued_in_the_admin_is_recorded_with_the_staff_member(staff_browser, clinic, harbour_staff):
    staff_browser.post(
        reverse("admin:service_clinic_changelist"),
        {"action": "issue_api_key", "_selected_action": [str(clinic.pk)]},
        follow=True,
    )
    event = AuditEvent.objects.get(clinic=clinic, action="api_key.issued")
    assert event.actor_type == "user"
    assert event.actor_id == str(harbour_staff.pk)


def test_a_therapist_cannot_be_moved_to_another_clinic(staff_browser, both_clinics_full, other_clinic):
    harbour, _ = both_clinics_full
    therapist = harbour["therapist"]
    url = reverse("admin:service_therapist_change", args=[therapist.pk])
    form = staff_browser.get(url).content.decode()
    assert str(other_clinic.pk) not in form
    staff_browser.post(
        url, {"clinic": str(other_clinic.pk), "name": "Moved", "email": "", "qualifications": "[]",
              "alert_channels": "[]", "active": "on"},
    )  # fmt: skip
    therapist.refresh_from_db()
    assert therapist.clinic_id != other_clinic.pk


def test_a_therapist_added_by_staff_belongs_to_their_clinic(staff_browser, clinic):
    staff_browser.post(
        reverse("admin:service_therapist_add"),
        {"name": "New Lee", "email": "lee@harbour.example", "phone": "", "qualifications": '["sciatica"]',
         "alert_channels": '["email"]', "active": "on"},
    )  # fmt: skip
    assert Therapist.objects.get(name="New Lee").clinic == clinic


def test_appointment_status_changes_only_through_the_cancel_action(staff_browser, both_clinics_full):
    harbour, northside = both_clinics_full
    appointment = harbour["appointment"]
    change_page = staff_browser.get(reverse("admin:service_appointment_change", args=[appointment.pk]))
    assert b'name="status"' not in change_page.content

    staff_browser.post(
        reverse("admin:service_appointment_changelist"),
        {"action": "cancel", "_selected_action": [str(appointment.pk), str(northside["appointment"].pk)]},
    )

    appointment.refresh_from_db()
    northside["appointment"].refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert northside["appointment"].status == AppointmentStatus.BOOKED
    # The service ran: the questionnaires were cancelled with it, and the audit log names the staff member.
    assert not appointment.invitations.exclude(status="cancelled").exists()
    assert AuditEvent.objects.filter(action="appointment.cancelled", object_id=appointment.pk).exists()


def test_flags_are_acknowledged_through_the_admin_action(staff_browser, both_clinics_full):
    harbour, _ = both_clinics_full
    flag = harbour["flag"]
    staff_browser.post(
        reverse("admin:service_flag_changelist"), {"action": "acknowledge", "_selected_action": [str(flag.pk)]}
    )
    flag.refresh_from_db()
    assert flag.status == FlagStatus.ACKNOWLEDGED
    assert AuditEvent.objects.get(action="flag.acknowledged", object_id=flag.pk).actor_type == "user"


def test_audit_events_cannot_be_changed_or_deleted_in_the_admin(staff_browser, both_clinics_full):
    harbour, _ = both_clinics_full
    event = AuditEvent.objects.filter(object_id=harbour["flag"].pk).first()
    delete = staff_browser.post(reverse("admin:service_auditevent_delete", args=[event.pk]), {"post": "yes"})
    assert delete.status_code in (302, 403)
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    assert Flag.objects.filter(pk=harbour["flag"].pk).exists()
