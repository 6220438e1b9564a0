"""`create_staff`: a clinic's first sign-in, with a password or a one-time set-password link."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

pytestmark = pytest.mark.django_db


def _create_staff(*args: str) -> str:
    out = io.StringIO()
    call_command("create_staff", *args, stdout=out)
    return out.getvalue()


def test_with_a_password_the_staff_member_signs_in_scoped_to_the_clinic(clinic):
    _create_staff("--clinic", str(clinic.id), "--email", "Desk@Harbour.example", "--password", "a long passphrase 7")

    user = get_user_model().objects.get(username="Desk@harbour.example")
    assert user.is_staff
    assert not user.is_superuser
    assert user.clinic_membership.clinic == clinic
    assert user.has_perm("service.view_appointment")
    assert not user.has_perm("service.delete_clinic")
    browser = Client()
    assert browser.login(username="Desk@harbour.example", password="a long passphrase 7")
    assert browser.get("/therapist/").status_code == 200


def test_without_a_password_the_link_sets_one_once(clinic):
    out = _create_staff("--clinic", str(clinic.id), "--email", "owner@harbour.example")
    link = re.search(r"(http\S+/accounts/reset/\S+)", out).group(1)
    path = link.split("127.0.0.1:8000", 1)[-1] if "127.0.0.1:8000" in link else "/" + link.split("/", 3)[3]
    user = get_user_model().objects.get(username="owner@harbour.example")
    assert not user.has_usable_password()

    browser = Client()
    form_page = browser.get(path, follow=True)
    assert b"Set your password" in form_page.content
    done = browser.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "sciatica care 2026", "new_password2": "sciatica care 2026"},
        follow=True,
    )
    assert b"Your password is set" in done.content
    assert Client().login(username="owner@harbour.example", password="sciatica care 2026")
    reused = Client().get(path, follow=True)
    assert b"This link has ended" in reused.content


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--email", "not-an-address"], "--email"),
        (["--email", "x@harbour.example", "--password", "short"], "--password"),
    ],
)
def test_bad_input_names_the_option(clinic, args, named):
    with pytest.raises(CommandError, match=named):
        _create_staff("--clinic", str(clinic.id), *args)


def test_an_unknown_clinic_is_named(clinic):
    with pytest.raises(CommandError, match="--clinic"):
        _create_staff("--clinic", "00000000-0000-0000-0000-000000000000", "--email", "a@b.example")


def test_the_sign_in_page_offers_a_password_reset():
    page = Client().get("/accounts/login/")
    assert b"/accounts/password_reset/" in page.content
    assert Client().get("/accounts/password_reset/").status_code == 200
