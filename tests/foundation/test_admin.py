"""The admin for clinic staff: keys issued (shown once) and revoked; staff see only their clinic."""

import re

import pytest
from django.contrib.auth import get_user_model

from service.models import ApiKey, ClinicMembership
from service.models.clinics import hash_api_key
from tests.factories import TherapistFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    user = get_user_model().objects.create_superuser("owner", "owner@example.com", "pw-owner-123")
    client.force_login(user)
    return client


def test_issue_a_key_from_the_admin_shows_it_once(superuser_client, clinic):
    response = superuser_client.post(
        "/admin/service/clinic/",
        {"action": "issue_api_key", "_selected_action": [str(clinic.id)]},
        follow=True,
    )
    raw = re.search(r"(sg_[A-Za-z0-9_-]{20,})", response.content.decode()).group(1)
    assert ApiKey.objects.filter(clinic=clinic, key_hash=hash_api_key(raw)).exists()
    page = superuser_client.get(f"/admin/service/clinic/{clinic.id}/change/").content.decode()
    assert raw not in page


def test_revoke_keys_from_the_admin(superuser_client, clinic, api):
    key = ApiKey.objects.get(clinic=clinic)
    superuser_client.post("/admin/service/apikey/", {"action": "revoke", "_selected_action": [str(key.id)]})
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert api.get("/api/v1/therapists").status_code == 401


def test_clinic_staff_see_only_their_clinics_people(client, clinic, other_clinic):
    staff = get_user_model().objects.create_user("desk", "desk@example.com", "pw-desk-123", is_staff=True)
    from django.contrib.auth.models import Permission

    staff.user_permissions.add(Permission.objects.get(codename="view_therapist"))
    ClinicMembership.objects.create(user=staff, clinic=clinic)
    ours = TherapistFactory(clinic=clinic, name="Our Sam")
    theirs = TherapistFactory(clinic=other_clinic, name="Their Kim")
    client.force_login(staff)
    page = client.get("/admin/service/therapist/").content.decode()
    assert ours.name in page
    assert theirs.name not in page
    assert client.get(f"/admin/service/therapist/{theirs.id}/change/").status_code in (302, 404)


def admin_form_data(page, clinic) -> dict[str, str]:
    """What the clinic's change page posts when nothing is touched (its form and the keys inline)."""
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name in form.fields}
    data["policy"] = form.fields["policy"].prepare_value(form.initial["policy"])
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        data.update({f"{management.prefix}-{name}": value for name, value in management.initial.items()})
        for inline in formset.formset.forms:
            data[f"{inline.prefix}-id"] = str(inline.instance.pk)
            data[f"{inline.prefix}-name"] = inline.instance.name
            data[f"{inline.prefix}-clinic"] = str(clinic.pk)
    return data


def test_a_clinic_edited_in_the_admin_is_in_the_audit_log(superuser_client, clinic):
    from service.models import AuditEvent

    page = superuser_client.get(f"/admin/service/clinic/{clinic.id}/change/")
    data = admin_form_data(page, clinic)
    data["name"] = "Harbour Massage & Wellbeing"

    response = superuser_client.post(f"/admin/service/clinic/{clinic.id}/change/", data)

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    clinic.refresh_from_db()
    assert clinic.name == "Harbour Massage & Wellbeing"
    event = AuditEvent.objects.get(clinic_id=clinic.pk, action="clinic.updated")
    assert event.note == "name"
    assert event.actor_type == "user"


def test_a_clinic_saved_unchanged_in_the_admin_writes_no_audit_event(superuser_client, clinic):
    from service.models import AuditEvent

    page = superuser_client.get(f"/admin/service/clinic/{clinic.id}/change/")
    superuser_client.post(f"/admin/service/clinic/{clinic.id}/change/", admin_form_data(page, clinic))
    assert not AuditEvent.objects.filter(clinic_id=clinic.pk, action="clinic.updated").exists()
