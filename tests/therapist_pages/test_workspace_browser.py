"""The therapist's workspace as a therapist sees it between sessions, on a phone and at a desk."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client as Browser
from django.utils import timezone

from service.flags import flag_raise
from service.models import AuditEvent
from tests.browser import ARTIFACTS, DESKTOP, PHONE, browser_marks, in_browser
from tests.factories import AppointmentFactory
from tests.questionnaires.support import book

pytestmark = [*browser_marks, pytest.mark.django_db(transaction=True)]

WORSE = {
    "rule": "F-AGGRAVATION",
    "outcome": "proceed_with_modifications",
    "client_message": "-",
    "therapist_message": "Leg symptoms worse after the session: review the flag and work less deeply next time.",
}


@pytest.fixture
def sam_signed_in(therapist, live_server):
    """Sam's browser session cookie, made the way signing in makes it."""
    user = get_user_model().objects.create_user("sam@harbour.example", password="harbour therapist 1")
    therapist.user = user
    therapist.save()
    web = Browser()
    web.force_login(user)
    return {"name": "sessionid", "value": web.cookies["sessionid"].value, "url": live_server.url}


@pytest.fixture
def sams_day(clinic, therapist, client_person):
    tomorrow = book(
        clinic=clinic,
        client=client_person,
        therapist=therapist,
        in_hours=26,
        answers={"has_sciatica": True, "pain_below_knee": True, "concerns": "My left leg is worse after driving."},
    )
    past = AppointmentFactory(
        clinic=clinic,
        therapist=therapist,
        client=client_person,
        start=timezone.now() - dt.timedelta(days=1),
        status="completed",
    )
    worse = flag_raise(appointment=past, severity="warning", source="post_session", kind="aggravation", reasons=[WORSE])
    return tomorrow, worse


@pytest.mark.parametrize(("size", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_the_workspace_shows_the_post_session_flag_and_the_session_brief(
    live_server, sam_signed_in, sams_day, size, viewport
):
    tomorrow, worse = sams_day

    def script(page):
        page.context.add_cookies([sam_signed_in])
        page.goto(f"{live_server.url}/therapist/")
        page.screenshot(path=str(ARTIFACTS / f"therapist-workspace-{size}.png"), full_page=True)
        return {
            "flag": page.locator(f"#flag-{worse.id}").inner_text(),
            "brief": page.locator(f"#session-{tomorrow.id}").inner_text(),
            "scroll_width": page.evaluate("document.documentElement.scrollWidth"),
        }

    seen, outside = in_browser(script, viewport=viewport)

    assert outside == []
    assert "Reported getting worse" in seen["flag"]
    assert "After the session" in seen["flag"]
    assert "No sustained direct pressure on the buttock or the back of the thigh." in seen["brief"]
    assert "My left leg is worse after driving." in seen["brief"]
    assert seen["scroll_width"] <= viewport["width"]


def test_acknowledging_on_a_phone_records_the_therapist_in_the_flags_history(live_server, sam_signed_in, sams_day):
    _, worse = sams_day

    def script(page):
        page.context.add_cookies([sam_signed_in])
        page.goto(f"{live_server.url}/therapist/flags/{worse.id}")
        page.fill("#ack-note", "Called the client; booking a lighter session.")
        page.get_by_role("button", name="Acknowledge").click()
        page.wait_for_selector("#flag-history")
        page.screenshot(path=str(ARTIFACTS / "therapist-flag-acknowledged-phone.png"), full_page=True)
        return page.locator("#flag-history").inner_text(), page.evaluate("document.documentElement.scrollWidth")

    (history, scroll_width), outside = in_browser(script, viewport=PHONE)

    assert outside == []
    assert "Acknowledged" in history
    assert "sam@harbour.example" in history
    assert scroll_width <= PHONE["width"]
    event = AuditEvent.objects.get(action="flag.acknowledged", object_id=worse.id)
    assert event.actor_type == "user"


@pytest.fixture
def alex_course(clinic, therapist, client_person):
    """Alex's pain over four reports: booking, before, after (worse), and the next booking."""
    from service.models import Appointment, Invitation, QuestionnaireResponse

    now = timezone.now()
    first = AppointmentFactory(
        clinic=clinic, therapist=therapist, client=client_person, status="completed",
        start=now - dt.timedelta(days=18), booking_answers={"leg_pain_now": 4, "back_pain_now": 3},
    )  # fmt: skip
    second = AppointmentFactory(
        clinic=clinic, therapist=therapist, client=client_person, start=now + dt.timedelta(days=5),
        booking_answers={"leg_pain_now": 6, "back_pain_now": 2},
    )  # fmt: skip
    Appointment.objects.filter(pk=first.pk).update(created_at=now - dt.timedelta(days=20))
    Appointment.objects.filter(pk=second.pk).update(created_at=now - dt.timedelta(days=2))
    for days_ago, kind, leg, back in ((19, "pre_session", 5, 3), (17, "post_session", 8, 4)):
        invitation = Invitation.objects.create(
            clinic=clinic, appointment=first, kind=kind, status="completed", scheduled_for=now
        )
        QuestionnaireResponse.objects.create(
            clinic=clinic, invitation=invitation, appointment=first, kind=kind,
            answers={"leg_pain_now": leg, "back_pain_now": back}, submitted_at=now - dt.timedelta(days=days_ago),
        )  # fmt: skip
    return client_person


@pytest.mark.parametrize(("size", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_the_clients_page_draws_their_pain_over_time(live_server, sam_signed_in, alex_course, size, viewport):
    def script(page):
        page.context.add_cookies([sam_signed_in])
        page.goto(f"{live_server.url}/therapist/clients/{alex_course.pk}")
        chart = page.locator("svg.pain-chart")
        chart.wait_for()
        box = chart.bounding_box()
        page.screenshot(path=str(ARTIFACTS / f"therapist-client-{size}.png"), full_page=True)
        return {
            "leg_points": page.locator("svg.pain-chart circle.leg").count(),
            "back_points": page.locator("svg.pain-chart rect.back").count(),
            "width": box["width"],
            "scroll_width": page.evaluate("document.documentElement.scrollWidth"),
            "titles": page.locator("svg.pain-chart circle.leg title").evaluate_all(
                "els => els.map(e => e.textContent)"
            ),
        }

    seen, outside = in_browser(script, viewport=viewport)

    assert outside == []
    assert seen["leg_points"] == 4
    assert seen["back_points"] == 4
    assert seen["width"] > 200
    assert seen["scroll_width"] <= viewport["width"]
    assert seen["titles"][2].startswith("Leg pain: 8 on ")
    assert AuditEvent.objects.filter(action="client.viewed", object_id=alex_course.pk).exists()
