"""Inviting a therapist: a one-time set-password link by email, a sign-in, and access gone when deactivated."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client as Browser
from django.urls import reverse

from service.models import AuditEvent, Notification
from tests.conftest import send_notification

pytestmark = pytest.mark.django_db


def send_invitations() -> None:
    for pk in Notification.objects.filter(purpose="therapist_invite").values_list("pk", flat=True):
        send_notification(pk)


def test_invite_set_password_sign_in(api, therapist, settings):
    response = api.post(f"/api/v1/therapists/{therapist.pk}/invite")
    assert response.status_code == 202
    assert response.json() == {"id": str(therapist.pk), "sent_to": "sam@harbour.example"}
    send_invitations()

    (message,) = mail.outbox
    assert message.to == ["sam@harbour.example"]
    assert "Harbour Massage Clinic" in message.subject
    link = re.search(r"(https?://\S+/accounts/reset/\S+/)", message.body).group(1)
    path = "/" + link.split("/", 3)[3]

    browser = Browser()
    form = browser.get(path, follow=True)
    assert b"Set your password" in form.content
    done = browser.post(
        form.redirect_chain[-1][0], {"new_password1": "sciatica care 2026", "new_password2": "sciatica care 2026"}
    )
    assert done.status_code == 302
    signed_in = Browser()
    assert signed_in.login(username="sam@harbour.example", password="sciatica care 2026")
    assert signed_in.get("/therapist/").status_code == 200
    assert AuditEvent.objects.filter(action="therapist.invited", object_id=therapist.pk, actor_type="api_key").exists()


def test_a_therapist_without_an_email_or_deactivated_cannot_be_invited(api, therapist):
    therapist.email = ""
    therapist.save()
    assert api.post(f"/api/v1/therapists/{therapist.pk}/invite").status_code == 409
    therapist.email, therapist.active = "sam@harbour.example", False
    therapist.save()
    assert api.post(f"/api/v1/therapists/{therapist.pk}/invite").status_code == 409
    assert not Notification.objects.filter(purpose="therapist_invite").exists()


def test_another_clinic_cannot_invite_our_therapist(other_api, therapist):
    assert other_api.post(f"/api/v1/therapists/{therapist.pk}/invite").status_code == 404


def test_staff_invite_from_the_admin(client, clinic, therapist):
    from service.clinics import staff_create

    client.force_login(staff_create(clinic=clinic, email="desk@harbour.example", password="harbour desk 12345"))
    client.post(
        reverse("admin:service_therapist_changelist"), {"action": "invite", "_selected_action": [str(therapist.pk)]}
    )
    therapist.refresh_from_db()
    assert therapist.user is not None
    assert Notification.objects.filter(purpose="therapist_invite", recipient="sam@harbour.example").count() == 1


def test_an_invitation_to_a_therapist_deactivated_before_it_went_is_not_sent(api, therapist):
    api.post(f"/api/v1/therapists/{therapist.pk}/invite")
    api.post(f"/api/v1/therapists/{therapist.pk}/deactivate")
    send_invitations()
    assert mail.outbox == []
