"""A client on a phone, in headless Chromium: conditional questions appear, answers go, the right message shows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from service.models import QuestionnaireResponse
from tests.browser import ARTIFACTS, PHONE, browser_marks, in_browser
from tests.questionnaires.support import open_link

pytestmark = browser_marks


@pytest.fixture
def on_phone(live_server) -> Callable[[Callable[[Any], Any]], Any]:
    """Run a script against a phone-sized page; the page may load nothing from beyond this machine."""

    def run(script: Callable[[Any], Any]) -> Any:
        result, outside = in_browser(script, viewport=PHONE)
        assert outside == [], f"the page asked for other origins: {outside}"
        return result

    return run


def question(page, key):
    return page.locator(f"#item-{key}")


def test_a_client_on_a_phone_answers_and_sees_the_right_message(
    on_phone, live_server, clinic, therapist, client_person
):
    appointment, token = open_link(
        clinic=clinic,
        client=client_person,
        therapist=therapist,
        kind="pre_session",
        answers={"has_sciatica": False, "leg_pain_now": 2, "back_pain_now": 1},
    )

    def script(page):
        page.goto(f"{live_server.url}/q/{token}")
        assert page.locator("h1").inner_text() == "Before your session"
        # The page fits the phone: nothing wider than the screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

        # Conditional questions stay hidden until the answer they depend on is given.
        assert question(page, "pain_below_knee").is_hidden()
        assert question(page, "pregnancy_weeks").is_hidden()
        # The booking's "no" to leg pain is shown to confirm; the client changes it.
        assert "What you told us when you booked" in page.locator("main").inner_text()
        assert question(page, "has_sciatica").is_hidden()
        page.get_by_text("Something has changed? Change these answers").click()
        question(page, "has_sciatica").get_by_label("Yes").check()
        assert question(page, "pain_below_knee").is_visible()
        assert question(page, "numbness_or_tingling").is_visible()
        question(page, "pain_below_knee").get_by_label("Yes").check()

        # Keyboard: focus a radio and press Space.
        page.focus("#id_pregnant_1")
        page.keyboard.press("Space")
        assert page.locator("#id_pregnant_1").is_checked()
        assert question(page, "pregnancy_weeks").is_hidden()

        # A pain score is a row of large buttons: the whole button is the touch target.
        page.locator("label[for=id_leg_pain_now_6]").tap()
        assert page.locator("#id_leg_pain_now_6").is_checked()
        box = question(page, "leg_pain_now").locator("label.option").first.bounding_box()
        assert box["height"] >= 44

        page.screenshot(path=str(ARTIFACTS / "questionnaire-phone.png"), full_page=True)
        page.get_by_role("button", name="Send my answers").click()
        page.wait_for_url(f"**/q/{token}/sent")
        page.screenshot(path=str(ARTIFACTS / "questionnaire-phone-result.png"), full_page=True)
        return page.locator("main").inner_text(), page.locator(".emergency").count()

    body, emergencies = on_phone(script)

    assert "Your pain is higher than when you booked" in body
    assert "This is a screening, not a diagnosis." in body
    assert emergencies == 0
    answers = QuestionnaireResponse.objects.get(appointment=appointment).answers
    assert answers == {"has_sciatica": True, "pain_below_knee": True, "leg_pain_now": 6, "pregnant": False}


def test_a_warning_sign_shows_the_emergency_wording_on_the_phone(
    on_phone, live_server, clinic, therapist, client_person
):
    _, token = open_link(clinic=clinic, client=client_person, therapist=therapist, kind="pre_session")

    def script(page):
        page.goto(f"{live_server.url}/q/{token}")
        question(page, "bladder_change").get_by_label("Yes").check()
        page.get_by_role("button", name="Send my answers").click()
        page.wait_for_url(f"**/q/{token}/sent")
        page.screenshot(path=str(ARTIFACTS / "questionnaire-phone-emergency.png"), full_page=True)
        return page.get_by_role("alert").inner_text(), page.locator("main").inner_text()

    alert, body = on_phone(script)

    assert "Please go to A&E or call 999 now." in alert
    assert "This is a screening, not a diagnosis." in body
