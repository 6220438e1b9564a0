"""The client's side at phone size: a short form with progress, a result that helps, Spanish, accessible."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail

from service.models import Notification, QuestionnaireResponse
from service.notifications.render import render_notification
from service.notifications.transports import get_transport
from service.screening.definitions import QUESTIONNAIRES
from tests.browser import ARTIFACTS, DESKTOP, PHONE, axe_marks, axe_violations, browser_marks, in_browser
from tests.questionnaires.support import open_link

pytestmark = browser_marks

# Everything a client told the clinic at booking: nothing stable needs asking again.
BOOKING = {
    "has_sciatica": True,
    "pain_below_knee": True,
    "numbness_or_tingling": False,
    "leg_pain_now": 4,
    "back_pain_now": 3,
    "worst_pain_24h": 5,
    "episode_weeks": 3,
    "clinician_assessed": True,
    "cancer_history": False,
    "osteoporosis_or_steroids": False,
    "blood_thinners": False,
    "easy_bruising": False,
    "spinal_procedure_recent": False,
    "pregnant": False,
}


@pytest.fixture
def voiced_clinic(clinic):
    clinic.contact_phone = "+442079460123"
    clinic.website = "https://harbour.example"
    clinic.save()
    return clinic


def _run(script, viewport=PHONE) -> Any:
    result, outside = in_browser(script, viewport=viewport)
    assert outside == [], f"the page asked for other origins: {outside}"
    return result


def _asked(page) -> int:
    """Questions the client sees outside the booking answers (follow-ups hidden until they apply)."""
    return page.evaluate(
        """() => [...document.querySelectorAll("section:not([aria-labelledby='section-confirm']) .item")]
                .filter(item => !item.hidden).length"""
    )


def test_the_pre_session_form_asks_only_what_can_have_changed_and_shows_progress(
    live_server, voiced_clinic, therapist, client_person
):
    _, token = open_link(
        clinic=voiced_clinic, client=client_person, therapist=therapist, kind="pre_session", answers=BOOKING
    )
    everything = len(QUESTIONNAIRES["pre_session"].items)

    def script(page):
        page.goto(f"{live_server.url}/q/{token}")
        asked = _asked(page)
        progress_before = page.locator("#progress-text").inner_text()
        page.locator("#item-leg_pain_now label.option").nth(5).tap()
        progress_after = page.locator("#progress-text").inner_text()
        intro = page.locator(".card").first.inner_text()
        confirmed = page.locator(".confirmed").inner_text()
        page.screenshot(path=str(ARTIFACTS / "client-form-short-phone.png"), full_page=True)
        # Where the questions asked end and the booking answers (to confirm) begin.
        height = page.evaluate("document.querySelector(\"[aria-labelledby='section-confirm']\").offsetTop")
        return asked, progress_before, progress_after, intro, confirmed, height

    asked, before, after, intro, confirmed, height = _run(script)
    assert asked < everything - 10  # 32 questions today; the stable ones are shown, not asked
    assert height < 6300  # the whole form was about 6,300 CSS px on a phone (7.5 screens)
    assert before == f"Answered: 0 of {asked}"
    assert after == f"Answered: 1 of {asked}"
    minutes = -(-asked * 8 // 60)
    assert f"It takes about {minutes} minute" in intro
    assert f"({asked} questions)" in intro
    assert "Have you ever had cancer?\nNo" in confirmed
    assert "Are you pregnant?\nNo" in confirmed


def test_a_reschedule_result_shows_the_date_the_phone_and_the_platform_link(
    live_server, voiced_clinic, therapist, client_person
):
    appointment, token = open_link(
        clinic=voiced_clinic, client=client_person, therapist=therapist, kind="pre_session", answers=BOOKING
    )
    appointment.external_reschedule_url = "https://cal.example/reschedule/abc"
    appointment.save(update_fields=["external_reschedule_url"])

    def script(page):
        page.goto(f"{live_server.url}/q/{token}")
        page.locator("#item-fever_or_unwell").get_by_label("Yes").check()
        page.get_by_role("button", name="Send my answers").click()
        page.wait_for_url(f"**/q/{token}/sent")
        page.screenshot(path=str(ARTIFACTS / "client-result-reschedule-phone.png"), full_page=True)
        link = page.get_by_role("link", name="Choose a new time").get_attribute("href")
        return page.locator("main").inner_text(), link

    body, link = _run(script)
    screening = QuestionnaireResponse.objects.get(appointment=appointment).screening
    assert screening.outcome == "reschedule"
    advised = screening.earliest_advised_start.astimezone(voiced_clinic.tz)
    assert f"The earliest date we advise is {advised:%A} {advised.day} {advised:%B %Y} at {advised:%H:%M}" in body
    assert link == "https://cal.example/reschedule/abc"
    assert "+44 20 7946 0123" in body
    assert "desk@harbour.example" in body
    assert "Change your answers" not in body  # the headline says not now
    bullets = re.findall(r"^.+$", body, re.M)
    assert len(bullets) == len(set(bullets))  # nothing said twice


def test_a_spanish_client_gets_spanish_pages_and_messages(live_server, voiced_clinic, therapist, client_person):
    client_person.language = "es"
    client_person.save()
    appointment, token = open_link(
        clinic=voiced_clinic, client=client_person, therapist=therapist, kind="pre_session", answers=BOOKING
    )

    def script(page):
        page.goto(f"{live_server.url}/q/{token}")
        lang, title = page.locator("html").get_attribute("lang"), page.locator("h1").inner_text()
        page.locator("#item-bladder_change").get_by_label("Sí").check()
        page.get_by_role("button", name="Enviar mis respuestas").click()
        page.wait_for_url(f"**/q/{token}/sent")
        page.screenshot(path=str(ARTIFACTS / "client-result-emergency-es-phone.png"), full_page=True)
        return lang, title, page.get_by_role("alert").inner_text(), page.locator("main").inner_text()

    lang, title, alert, body = _run(script)
    assert (lang, title) == ("es", "Antes de su sesión")
    assert "Vaya a urgencias (A&E) o llame al 999 ahora." in alert  # the region's number, in Spanish
    assert "Esto es una evaluación previa, no un diagnóstico." in body

    # The questionnaire's email, as its transport sends it: in Spanish, from the clinic's name.
    mail.outbox.clear()
    notification = Notification.objects.get(invitation__appointment=appointment, channel="email")
    transport = get_transport("email")
    transport.send(notification, render_notification(notification, renders_as=transport.renders_as))
    (message,) = mail.outbox
    assert message.subject == "Unas preguntas antes de su sesión en Harbour Massage Clinic"
    assert message.from_email.startswith("Harbour Massage Clinic <")
    assert message.reply_to == ["desk@harbour.example"]
    assert "Hola, " in message.body
    assert '<html lang="es">' in message.alternatives[0][0]


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@axe_marks[0]
def test_axe_finds_no_violation_on_the_client_pages(
    language, viewport, live_server, voiced_clinic, therapist, client_person
):
    client_person.language = language
    client_person.save()
    appointment, token = open_link(
        clinic=voiced_clinic, client=client_person, therapist=therapist, kind="pre_session", answers=BOOKING
    )
    size = "phone" if viewport == PHONE else "desktop"

    def script(page):
        found = {}
        page.goto(f"{live_server.url}/q/{token}")
        found["form"] = axe_violations(page)
        page.locator("details summary").click()  # the booking answers, opened to change
        found["form-open"] = axe_violations(page)
        page.screenshot(path=str(ARTIFACTS / f"client-form-{language}-{size}.png"), full_page=True)
        page.locator("#item-fever_or_unwell input[value=true]").check()
        page.locator("form#questionnaire button[type=submit]").click()
        page.wait_for_url(f"**/q/{token}/sent")
        found["result"] = axe_violations(page)
        page.screenshot(path=str(ARTIFACTS / f"client-result-{language}-{size}.png"), full_page=True)
        return found

    found = _run(script, viewport)
    # The link ends when the session is cancelled: the ended page names the clinic and its contact.
    from service.appointments import appointment_cancel

    appointment_cancel(appointment=appointment)

    def ended(page):
        response = page.goto(f"{live_server.url}/q/{token}")
        violations = axe_violations(page)
        page.screenshot(path=str(ARTIFACTS / f"client-ended-{language}-{size}.png"), full_page=True)
        return response.status, violations, page.locator("main").inner_text()

    status, found["ended"], ended_body = _run(ended, viewport)
    assert status == 404
    assert "+44 20 7946 0123" in ended_body
    assert {page: violations for page, violations in found.items() if violations} == {}


def test_the_catalogues_are_complete():
    from babel.messages.pofile import read_po
    from django.conf import settings
    from django.core.management import call_command

    call_command("rulepack_messages", "--check")  # raises on an untranslated rule-pack string
    with (settings.BASE_DIR / "locale" / "es" / "LC_MESSAGES" / "django.po").open("rb") as po_file:
        catalog = read_po(po_file, locale="es")
    untranslated = [
        m.id for m in catalog if m.id and (m.fuzzy or not all(m.string if isinstance(m.string, tuple) else [m.string]))
    ]
    assert untranslated == []


def test_the_advised_date_reads_in_spanish(voiced_clinic):
    from django.utils import translation

    from service.notifications.render import session_time_text

    when = dt.datetime(2031, 3, 14, 10, tzinfo=dt.UTC)
    with translation.override("es"):
        assert session_time_text(when, voiced_clinic) == "viernes 14 de marzo de 2031 a las 10:00 GMT"
    assert session_time_text(when, voiced_clinic) == "Friday 14 March 2031 at 10:00 GMT"
