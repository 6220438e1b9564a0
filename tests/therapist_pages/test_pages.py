"""Therapist pages: signed-in staff and therapists of one clinic see its flags and can act on them."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client as Browser
from django.utils import timezone

from service.flags import flag_raise
from service.models import ClinicMembership, Flag
from tests.factories import AppointmentFactory, TherapistFactory
from tests.questionnaires.support import book

pytestmark = pytest.mark.django_db

REASON = {
    "rule": "PRE-PAIN-RISE",
    "outcome": "proceed_with_modifications",
    "client_message": "Your pain is higher than when you booked.",
    "therapist_message": "Leg or back pain has risen since booking.",
}


def signed_in(user) -> Browser:
    browser = Browser()
    browser.force_login(user)
    return browser


@pytest.fixture
def sam_user(therapist):
    user = get_user_model().objects.create_user("sam", password="pw-sam-123456")
    therapist.user = user
    therapist.save()
    return user


@pytest.fixture
def desk_user(clinic):
    user = get_user_model().objects.create_user("desk", password="pw-desk-123456")
    ClinicMembership.objects.create(user=user, clinic=clinic)
    return user


@pytest.fixture
def jo(clinic):
    return TherapistFactory(clinic=clinic, name="Jo Patel")


def flag_on(appointment, severity="warning", source="pre_session", kind="aggravation", reasons=None):
    return flag_raise(appointment=appointment, severity=severity, source=source, kind=kind, reasons=reasons or [REASON])


def test_pages_need_a_sign_in(client, clinic, therapist):
    flag = flag_on(AppointmentFactory(clinic=clinic, therapist=therapist))
    for path in ("/therapist/", f"/therapist/flags/{flag.id}"):
        answer = client.get(path)
        assert answer.status_code == 302
        assert answer["Location"].startswith("/accounts/login/?next=")
    assert client.post(f"/therapist/flags/{flag.id}/resolve").status_code == 302
    flag.refresh_from_db()
    assert flag.status == "open"


def test_the_login_page_signs_in_and_goes_to_the_list(client, sam_user):
    page = client.get("/accounts/login/?next=/therapist/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'for="id_username"' in html
    assert 'for="id_password"' in html
    answer = client.post("/accounts/login/", {"username": "sam", "password": "pw-sam-123456", "next": "/therapist/"})
    assert answer.status_code == 302
    assert answer["Location"] == "/therapist/"
    assert client.get("/therapist/").status_code == 200


def test_a_therapist_sees_every_open_flag_of_their_own_sessions_whatever_the_session(sam_user, clinic, therapist, jo):
    mine = AppointmentFactory(clinic=clinic, therapist=therapist)
    theirs = AppointmentFactory(clinic=clinic, therapist=jo)
    past = AppointmentFactory(
        clinic=clinic, therapist=therapist, start=timezone.now() - dt.timedelta(days=2), status="completed"
    )
    resolved = AppointmentFactory(clinic=clinic, therapist=therapist, start=timezone.now() + dt.timedelta(days=4))
    critical = flag_on(mine, severity="critical", kind="red_flag", source="screening")
    warning = flag_on(mine, source="screening")
    after_session = flag_on(past, source="post_session")
    flag_on(theirs)
    from service.flags import flag_resolve

    gone = flag_on(resolved)
    flag_resolve(flag=gone)

    html = signed_in(sam_user).get("/therapist/").content.decode()
    flags_section = html[: html.index('id="sessions-heading"')]
    shown = re.findall(r'id="flag-([0-9a-f-]+)"', flags_section)
    # A completed session's post-session flag is there, and first; then the most severe.
    assert shown == [str(after_session.id), str(critical.id), str(warning.id)]
    assert theirs.client.name not in html
    assert str(gone.id) not in flags_section


def test_clinic_staff_see_every_therapists_flags_and_can_filter_by_therapist(desk_user, clinic, therapist, jo):
    flag_on(AppointmentFactory(clinic=clinic, therapist=therapist))
    jos = flag_on(AppointmentFactory(clinic=clinic, therapist=jo))
    browser = signed_in(desk_user)
    assert browser.get("/therapist/").content.decode().count('class="card flag') == 2
    filtered = browser.get(f"/therapist/?therapist={jo.id}").content.decode()
    assert re.findall(r'id="flag-([0-9a-f-]+)"', filtered) == [str(jos.id)]


def test_another_clinics_flag_is_a_404(sam_user, other_clinic):
    foreign = flag_on(AppointmentFactory(clinic=other_clinic))
    browser = signed_in(sam_user)
    assert browser.get(f"/therapist/flags/{foreign.id}").status_code == 404
    assert browser.post(f"/therapist/flags/{foreign.id}/acknowledge", {"note": "x"}).status_code == 404
    assert browser.post(f"/therapist/flags/{foreign.id}/resolve", {"note": "x"}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == "open"
    assert other_clinic.name not in browser.get("/therapist/").content.decode()


def test_a_user_with_no_clinic_sees_nothing(client, clinic, therapist):
    flag = flag_on(AppointmentFactory(clinic=clinic, therapist=therapist))
    nobody = signed_in(get_user_model().objects.create_user("nobody", password="pw-nobody-1234"))
    assert nobody.get("/therapist/").status_code == 403
    assert nobody.get(f"/therapist/flags/{flag.id}").status_code == 404


def test_a_flag_shows_its_reasons_and_the_answers_that_fired_them(sam_user, clinic, therapist, client_person):
    appointment = book(
        clinic=clinic,
        client=client_person,
        therapist=therapist,
        in_hours=30,
        answers={"leg_pain_now": 3, "back_pain_now": 2, "has_sciatica": True, "blood_thinners": False},
    )
    from service.models import Invitation
    from service.questionnaires.scheduling import invitations_send_batch
    from service.questionnaires.submission import questionnaire_submit

    invitations_send_batch()
    invitation = Invitation.objects.get(appointment=appointment, kind="pre_session")
    questionnaire_submit(invitation=invitation, answers={"leg_pain_now": 6, "back_pain_now": 2, "has_sciatica": True})
    flag = Flag.objects.get(appointment=appointment, kind="aggravation")

    html = signed_in(sam_user).get(f"/therapist/flags/{flag.id}").content.decode()
    assert "PRE-PAIN-RISE" in html
    assert "Leg or back pain has risen since booking" in html
    row = re.search(r'<tr id="answer-leg_pain_now">(.*?)</tr>', html, re.S).group(1)
    assert "How much leg pain do you have right now" in row
    assert "<td>6</td><td>3</td>" in row  # now, and at booking
    assert 'id="answer-blood_thinners"' not in html  # not what this rule reads
    assert client_person.name in html


def test_acknowledge_then_resolve_with_notes(sam_user, clinic, therapist):
    flag = flag_on(AppointmentFactory(clinic=clinic, therapist=therapist))
    browser = signed_in(sam_user)

    answer = browser.post(f"/therapist/flags/{flag.id}/acknowledge", {"note": "Called the client."}, follow=True)
    assert answer.redirect_chain[-1][0] == f"/therapist/flags/{flag.id}"
    assert "Flag acknowledged." in answer.content.decode()
    flag.refresh_from_db()
    assert (flag.status, flag.note) == ("acknowledged", "Called the client.")

    browser.post(f"/therapist/flags/{flag.id}/resolve", {"note": "Session kept gentle."})
    flag.refresh_from_db()
    assert flag.status == "resolved"
    assert "Session kept gentle." in flag.note
    assert flag.resolved_at is not None

    # Acknowledging a resolved flag is refused, and said so.
    answer = browser.post(f"/therapist/flags/{flag.id}/acknowledge", {"note": ""}, follow=True)
    assert "already resolved" in answer.content.decode()


def test_the_forms_need_their_csrf_token(sam_user, clinic, therapist):
    flag = flag_on(AppointmentFactory(clinic=clinic, therapist=therapist))
    strict = Browser(enforce_csrf_checks=True)
    strict.force_login(sam_user)
    assert strict.post(f"/therapist/flags/{flag.id}/resolve", {"note": "x"}).status_code == 403
    page = strict.get(f"/therapist/flags/{flag.id}").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert (
        strict.post(f"/therapist/flags/{flag.id}/resolve", {"note": "x", "csrfmiddlewaretoken": token}).status_code
        == 302
    )
    flag.refresh_from_db()
    assert flag.status == "resolved"


def test_the_list_reads_a_fixed_number_of_queries(sam_user, clinic, therapist, django_assert_max_num_queries):
    for _ in range(10):
        flag_on(AppointmentFactory(clinic=clinic, therapist=therapist))
    browser = signed_in(sam_user)
    browser.get("/therapist/")
    # Constant, however many flags and sessions: sign-in, clinic, flags, sessions with theirs, answers.
    with django_assert_max_num_queries(10):
        assert browser.get("/therapist/").status_code == 200


def test_a_therapist_opens_only_their_own_clients(sam_user, clinic, therapist, jo, other_clinic):
    from tests.factories import ClientFactory

    mine = AppointmentFactory(clinic=clinic, therapist=therapist).client
    theirs = AppointmentFactory(clinic=clinic, therapist=jo, client=ClientFactory(clinic=clinic, name="Kim")).client
    foreign = AppointmentFactory(clinic=other_clinic).client
    browser = signed_in(sam_user)
    assert browser.get(f"/therapist/clients/{mine.id}").status_code == 200
    assert browser.get(f"/therapist/clients/{theirs.id}").status_code == 404
    assert browser.get(f"/therapist/clients/{foreign.id}").status_code == 404


def test_clinic_staff_open_any_client_of_their_clinic(desk_user, clinic, jo):
    client = AppointmentFactory(clinic=clinic, therapist=jo).client
    assert signed_in(desk_user).get(f"/therapist/clients/{client.id}").status_code == 200
