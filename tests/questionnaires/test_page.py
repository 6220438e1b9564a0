"""The client's page /q/<token>: accessible form, works without JavaScript, plain result, kind 404."""

from __future__ import annotations

import re

import pytest
from django.test import Client as Browser

from service.models import Flag, QuestionnaireResponse
from tests.conftest import fresh_address
from tests.questionnaires.support import open_link

pytestmark = pytest.mark.django_db


@pytest.fixture
def link(clinic, therapist, client_person):
    appointment, token = open_link(
        clinic=clinic, client=client_person, therapist=therapist, kind="pre_session", answers={"leg_pain_now": 2}
    )
    return appointment, token


def test_the_page_asks_every_question_accessibly(link, client, clinic):
    appointment, token = link
    page = client.get(f"/q/{token}")

    assert page.status_code == 200
    html = page.content.decode()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert 'name="csrfmiddlewaretoken"' in html
    # Radio groups are fieldsets with a legend; every input has a label tied to it.
    assert "<legend>Do you have pain that travels from your back or buttock down a leg?</legend>" in html
    for input_id in re.findall(r'<input type="(?:radio|number)" id="([^"]+)"', html):
        assert f'for="{input_id}"' in html
    assert '<textarea id="id_concerns"' in html
    assert 'for="id_concerns"' in html
    # Conditional items are in the page (for use without JavaScript) and marked for the script.
    assert 'id="item-pain_below_knee" data-enable-when="[{&quot;key&quot;: &quot;has_sciatica&quot;' in html
    assert "Only if you answered “Yes” to “Do you have pain that travels" in html
    # The session time in the clinic's zone and the therapist's name.
    local = appointment.start.astimezone(clinic.tz)
    assert f"at {local:%H:%M} {local:%Z}" in html
    assert "Sam Rivers" in html
    assert page["Cache-Control"].startswith("max-age=0") or "no-store" in page["Cache-Control"]
    assert page["Referrer-Policy"] == "same-origin"


def test_sending_without_javascript_prunes_inapplicable_answers_and_shows_the_result(link, client):
    appointment, token = link
    sent = client.post(
        f"/q/{token}",
        {
            "has_sciatica": "false",
            "pain_below_knee": "true",  # shown without JavaScript, but does not apply: dropped
            "leg_pain_now": "5",
            "pregnant": "",
            "concerns": "  ",
        },
    )
    assert sent.status_code == 302
    assert sent["Location"] == f"/q/{token}/sent"

    response = QuestionnaireResponse.objects.get(appointment=appointment)
    assert response.answers == {"has_sciatica": False, "leg_pain_now": 5}
    result = client.get(sent["Location"])
    html = result.content.decode()
    assert result.status_code == 200
    assert "Your pain is higher than when you booked" in html
    assert "This is a screening, not a diagnosis." in html
    assert 'role="alert"' not in html
    assert Flag.objects.filter(appointment=appointment, kind="aggravation").exists()


def test_a_red_flag_shows_the_emergency_wording(link, client):
    _, token = link
    client.post(f"/q/{token}", {"saddle_numbness": "true"})
    html = client.get(f"/q/{token}/sent").content.decode()
    assert 'class="card emergency" role="alert"' in html
    assert "Please go to A&amp;E or call 999 now." in html
    assert "This is a screening, not a diagnosis." in html


def test_bad_answers_come_back_with_the_fields_named_and_the_values_kept(link, client):
    _, token = link
    page = client.post(f"/q/{token}", {"leg_pain_now": "12", "episode_weeks": "three", "has_sciatica": "true"})
    assert page.status_code == 400
    html = page.content.decode()
    assert 'id="error-summary"' in html
    assert 'href="#item-leg_pain_now"' in html
    assert 'href="#item-episode_weeks"' in html
    assert 'id="err-episode_weeks"' in html
    assert 'value="three"' in html
    assert re.search(r'name="has_sciatica" value="true" checked', html)
    assert not QuestionnaireResponse.objects.exists()


def test_the_form_needs_its_csrf_token(link):
    _, token = link
    strict = Browser(enforce_csrf_checks=True)
    assert strict.post(f"/q/{token}", {"leg_pain_now": "2"}).status_code == 403
    page = strict.get(f"/q/{token}")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    assert strict.post(f"/q/{token}", {"leg_pain_now": "2", "csrfmiddlewaretoken": csrf}).status_code == 302


def test_a_second_visit_shows_the_answers_given_and_can_replace_them(link, client):
    appointment, token = link
    client.post(f"/q/{token}", {"leg_pain_now": "2"})
    html = client.get(f"/q/{token}").content.decode()
    assert "You have already sent your answers" in html
    assert re.search(r'name="leg_pain_now" value="2" checked', html)
    client.post(f"/q/{token}", {"leg_pain_now": "3"})
    assert QuestionnaireResponse.objects.get(appointment=appointment).submission_count == 2


@pytest.mark.parametrize("token", ["nope", "A" * 43])
def test_unknown_links_get_a_kind_404(client, token):
    page = client.get(f"/q/{token}")
    assert page.status_code == 404
    assert "This link is no longer open" in page.content.decode()
    assert page["Content-Type"].startswith("text/html")


def test_an_ended_link_gets_the_same_kind_404(link, client):
    from service.appointments import appointment_cancel

    appointment, token = link
    appointment_cancel(appointment=appointment)
    assert client.get(f"/q/{token}").status_code == 404
    assert client.post(f"/q/{token}", {"leg_pain_now": "2"}).status_code == 404


def test_the_page_is_rate_limited_per_link(link, settings):
    settings.RATELIMIT_ENABLE = True
    _, token = link
    browser = Browser(REMOTE_ADDR=fresh_address())
    codes = [browser.get(f"/q/{token}").status_code for _ in range(31)]
    assert codes[:30] == [200] * 30
    assert codes[30] == 429
    # Another link from another address is not affected.
    assert Browser(REMOTE_ADDR=fresh_address()).get("/q/" + "B" * 43).status_code == 404


def test_guessing_links_from_one_address_is_rate_limited(settings):
    settings.RATELIMIT_ENABLE = True
    browser = Browser(REMOTE_ADDR=fresh_address())
    codes = [browser.get(f"/q/{'C' * 42}{i % 10}").status_code for i in range(61)]
    assert set(codes[:60]) == {404}
    assert codes[60] == 429
