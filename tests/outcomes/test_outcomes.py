"""Outcomes: PEG, the outcome check, each client's timeline, and the clinic's analytics worked out by hand."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from service.appointments import appointment_book, appointment_complete
from service.models import Invitation, OutcomeFact
from service.privacy import client_erase
from service.questionnaires.scheduling import invitations_send_batch
from service.questionnaires.submission import questionnaire_submit
from service.screening.answers import AnswersInvalid, validate_answers
from service.screening.measures import peg_score
from tests.browser import ARTIFACTS, DESKTOP, PHONE, in_browser
from tests.factories import ClientFactory, TherapistFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now


def _session(clinic, client, therapist, *, days_ago, pressure="medium", booking=None, follow_up=None):
    """A session that happened `days_ago`, completed, with its follow-up answered when given."""
    start = (NOW() - dt.timedelta(days=days_ago)).replace(microsecond=0)
    appointment = appointment_book(
        clinic=clinic,
        client=client,
        therapist=therapist,
        service={"name": "Massage", "pressure": pressure, "duration_minutes": 60},
        start=start,
        end=start + dt.timedelta(hours=1),
        answers=booking or {},
    )
    appointment_complete(appointment=appointment)
    if follow_up is not None:
        invitations_send_batch(now=NOW())
        invitation = Invitation.objects.get(appointment=appointment, kind="post_session")
        questionnaire_submit(invitation=invitation, answers=follow_up)
    appointment.refresh_from_db()
    return appointment


# PEG.


def test_peg_items_are_0_to_10_and_score_as_their_mean():
    answers = validate_answers({"peg_pain": 3, "peg_enjoyment": 4, "peg_activity": 5}, kind="post_session")
    assert peg_score(answers) == 4.0
    assert peg_score({"peg_pain": 1, "peg_enjoyment": 2, "peg_activity": 2}) == 1.7
    assert peg_score({"peg_pain": 1, "peg_enjoyment": 2}) is None  # all three or no score
    with pytest.raises(AnswersInvalid) as error:
        validate_answers({"peg_pain": 11}, kind="post_session")
    assert error.value.errors[0]["attr"] == "answers.peg_pain"
    validate_answers({"peg_activity": 0, "leg_pain_now": 2}, kind="outcome_check")


# The outcome check.


def test_the_outcome_check_follows_only_the_last_completed_session(clinic, therapist, client_person):
    first = _session(clinic, client_person, therapist, days_ago=20)
    check = Invitation.objects.get(appointment=first, kind="outcome_check")
    assert (check.status, check.scheduled_for) == ("scheduled", first.end + dt.timedelta(days=28))

    second = _session(clinic, client_person, therapist, days_ago=10)
    check.refresh_from_db()
    assert check.status == "cancelled"  # asked once, after the last session
    assert Invitation.objects.get(appointment=second, kind="outcome_check").status == "scheduled"

    # A later session is booked: nobody has stopped coming, so no outcome check.
    start = NOW() + dt.timedelta(days=3)
    appointment_book(clinic=clinic, client=client_person, therapist=therapist, start=start,
                     end=start + dt.timedelta(hours=1), answers={},
                     service={"name": "Massage", "pressure": "medium", "duration_minutes": 60})  # fmt: skip
    assert not Invitation.objects.filter(kind="outcome_check", status="scheduled").exists()


def test_no_outcome_check_when_the_clinic_turns_it_off(clinic, therapist, client_person):
    clinic.policy = {"outcome_followup_days": 0}
    clinic.save()
    _session(clinic, client_person, therapist, days_ago=5)
    assert not Invitation.objects.filter(kind="outcome_check").exists()


def test_the_outcome_check_is_sent_and_its_red_flags_are_flagged(clinic, therapist, client_person):
    clinic.policy = {"outcome_followup_days": 3}
    clinic.save()
    appointment = _session(clinic, client_person, therapist, days_ago=5)
    invitations_send_batch(now=NOW())
    check = Invitation.objects.get(appointment=appointment, kind="outcome_check")
    assert check.status == "sent"
    notification = check.notification_set.first() if hasattr(check, "notification_set") else None
    from service.models import Notification
    from service.notifications.render import render_notification

    notification = Notification.objects.get(invitation=check, channel="email")
    rendered = render_notification(notification)
    assert "a few weeks since your last session" in rendered.text
    result = questionnaire_submit(invitation=check, answers={"bladder_change": True, "peg_pain": 4})
    assert result.outcome == "refer_urgently"
    assert appointment.flags.filter(severity="critical").exists()


# Each client's course.


def test_the_timeline_lists_every_pain_report_in_order_with_its_source(
    clinic, therapist, client_person, api, other_api
):
    appointment = _session(
        clinic, client_person, therapist, days_ago=3,
        booking={"has_sciatica": True, "leg_pain_now": 6, "back_pain_now": 4},
        follow_up={"leg_pain_now": 3, "back_pain_now": 4, "peg_pain": 3, "peg_enjoyment": 2, "peg_activity": 2,
                   "overall_change": "better"},
    )  # fmt: skip
    response = api.get(f"/api/v1/clients/{client_person.id}/timeline")
    assert response.status_code == 200
    entries = response.json()
    assert [(e["source"], e["leg_pain"], e["back_pain"], e["peg"], e["overall_change"]) for e in entries] == [
        ("booking", 6, 4, None, None),
        ("post_session", 3, 4, 2.3, "better"),
    ]
    assert {e["appointment_id"] for e in entries} == {str(appointment.id)}
    assert entries[0]["at"] < entries[1]["at"]
    assert other_api.get(f"/api/v1/clients/{client_person.id}/timeline").status_code == 404


# The analytics.


@pytest.fixture
def seeded(clinic):
    """Harbour's last weeks, small enough to count by hand.

    Maya: 3 sessions. A (deep): follow-up leg 7 → 4, improved. B (deep): "worse", aggravated.
    C (medium): no follow-up. Jo: 1 session D (light): back 5 → 4 and "same": neither.
    """
    maya = TherapistFactory(clinic=clinic, name="Maya Patel", email="maya@harbour.example")
    jo = TherapistFactory(clinic=clinic, name="Jo Reed", email="jo@harbour.example")
    people = [ClientFactory(clinic=clinic, name=f"Client {n}", email=f"c{n}@example.com") for n in range(4)]
    before = {"has_sciatica": True, "pain_below_knee": True, "leg_pain_now": 7, "back_pain_now": 5}
    _session(clinic, people[0], maya, days_ago=9, pressure="deep", booking=before,
             follow_up={"leg_pain_now": 4, "back_pain_now": 5, "overall_change": "same"})  # fmt: skip
    _session(clinic, people[1], maya, days_ago=8, pressure="deep", booking=before,
             follow_up={"leg_pain_now": 7, "back_pain_now": 5, "overall_change": "worse"})  # fmt: skip
    _session(clinic, people[2], maya, days_ago=7, pressure="medium", booking=before)
    _session(clinic, people[3], jo, days_ago=6, pressure="light", booking={"back_pain_now": 5},
             follow_up={"back_pain_now": 4, "overall_change": "same"})  # fmt: skip
    return {"maya": maya, "jo": jo, "people": people}


def _rows(api, group, **params):
    response = api.get("/api/v1/analytics/outcomes", {"group_by": group, **params})
    assert response.status_code == 200, response.json()
    return {row["label"]: row for row in response.json()}


def test_analytics_by_therapist_and_pressure_as_worked_out_by_hand(api, seeded):
    rows = _rows(api, "therapist")
    assert rows["Maya Patel"] == {
        "key": str(seeded["maya"].id), "label": "Maya Patel", "sessions": 3, "followups_answered": 2,
        "aggravated": 1, "aggravation_rate": 0.5, "improved": 1, "improved_rate": 0.5,
    }  # fmt: skip
    assert rows["Jo Reed"] | {"key": ""} == {
        "key": "", "label": "Jo Reed", "sessions": 1, "followups_answered": 1, "aggravated": 0,
        "aggravation_rate": 0.0, "improved": 0, "improved_rate": 0.0,
    }  # fmt: skip
    pressure = _rows(api, "pressure")
    assert (pressure["deep"]["sessions"], pressure["deep"]["improved"], pressure["deep"]["aggravated"]) == (2, 1, 1)
    assert pressure["medium"]["followups_answered"] == 0
    assert pressure["medium"]["aggravation_rate"] is None  # nothing answered: no rate
    assert pressure["medium"]["improved_rate"] is None


def test_analytics_by_modification_and_rule_count_a_session_under_each(api, seeded):
    modifications = _rows(api, "modification")
    rules = _rows(api, "rule")
    # The leg-pain bookings (3 at Maya's) carry the sciatic-nerve modifications; Jo's did not.
    assert modifications["avoid_direct_sciatic_pressure"]["sessions"] == 3
    assert sum(row["sessions"] for row in modifications.values()) >= 4
    assert all(row["sessions"] <= 4 for row in rules.values())


def test_analytics_dates_limit_and_validate(api, seeded):
    today = timezone.localdate()
    rows = _rows(api, "therapist", since=str(today - dt.timedelta(days=7)), until=str(today))
    assert rows["Maya Patel"]["sessions"] == 1  # only C (7 days ago)
    bad = api.get("/api/v1/analytics/outcomes", {"group_by": "therapist", "since": "2031-01-02", "until": "2031-01-01"})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["attr"] == "since"
    assert api.get("/api/v1/analytics/outcomes", {"group_by": "colour"}).json()["errors"][0]["attr"] == "group_by"


def test_another_clinic_sees_none_of_the_figures(other_api, seeded):
    assert other_api.get("/api/v1/analytics/outcomes", {"group_by": "therapist"}).json() == []


def test_an_erased_client_still_counts(api, seeded):
    before = _rows(api, "therapist")["Maya Patel"]
    client_erase(client=seeded["people"][1])
    assert _rows(api, "therapist")["Maya Patel"] == before
    assert OutcomeFact.objects.filter(appointment__client=seeded["people"][1]).exists()


def test_the_csv_for_sharing_hides_counts_under_five(client, seeded, clinic, django_user_model):
    from service.clinics import staff_create

    staff = staff_create(clinic=clinic, email="desk@harbour.example", password="a-long-passphrase-42")
    client.force_login(staff)
    page = client.get("/therapist/analytics", {"group_by": "therapist"})
    assert page.status_code == 200
    assert "Maya Patel" in page.content.decode()
    assert 'class="rates-chart"' in page.content.decode()
    download = client.get("/therapist/analytics.csv", {"group_by": "therapist"})
    assert download["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(download.content.decode())))
    assert table[0][:3] == ["therapist", "sessions", "followups_answered"]
    maya = next(row for row in table if row[0] == "Maya Patel")
    assert maya[1:4] == ["<5", "<5", "<5"]  # 3 sessions, 2 answered, 1 aggravated: too few to share


def test_a_therapist_cannot_open_the_clinic_figures(client, therapist, seeded, django_user_model):
    user = django_user_model.objects.create_user(username="sam@harbour.example", password="x-long-passphrase-1")
    therapist.user = user
    therapist.save()
    client.force_login(user)
    assert client.get("/therapist/analytics").status_code == 403


@pytest.mark.browser
@pytest.mark.parametrize(("size", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_the_outcomes_page_reads_on_a_phone_and_a_desktop(live_server, clinic, seeded, size, viewport):
    from django.test import Client as Browser

    from service.clinics import staff_create

    staff = staff_create(clinic=clinic, email="desk@harbour.example", password="a-long-passphrase-42")
    web = Browser()
    web.force_login(staff)
    cookie = {"name": "sessionid", "value": web.cookies["sessionid"].value, "url": live_server.url}

    def script(page):
        page.context.add_cookies([cookie])
        page.goto(f"{live_server.url}/therapist/analytics?group_by=therapist")
        page.locator("svg.rates-chart").wait_for()
        page.screenshot(path=str(ARTIFACTS / f"therapist-outcomes-{size}.png"), full_page=True)
        box = "document.querySelector('.table-scroll')"
        fits = page.evaluate(f"{box}.scrollWidth <= {box}.clientWidth")  # every column shown, none scrolled to
        return page.evaluate("document.documentElement.scrollWidth"), fits, page.locator("table.outcomes").inner_text()

    (scroll_width, table_fits, table), outside = in_browser(script, viewport=viewport)
    assert outside == []
    assert scroll_width <= viewport["width"]
    assert table_fits
    assert "Maya Patel\t3\t2\t1\n(50%)\t1\n(50%)" in table


def test_pain_and_peg_scores_export_as_valid_fhir_observations(clinic, therapist, client_person, api, other_api):
    from fhir.resources.R4B.bundle import Bundle

    _session(
        clinic, client_person, therapist, days_ago=3,
        booking={"leg_pain_now": 6, "back_pain_now": 4},
        follow_up={"leg_pain_now": 3, "peg_pain": 3, "peg_enjoyment": 2, "peg_activity": 2},
    )  # fmt: skip
    response = api.get(f"/api/v1/clients/{client_person.id}/observations.fhir.json")
    assert response.status_code == 200
    bundle = Bundle.model_validate(response.json())
    codes = [(e.resource.code.coding[0].code, e.resource.bodySite.text if e.resource.bodySite else None)
             for e in bundle.entry]  # fmt: skip
    assert codes == [("72514-3", "Leg"), ("72514-3", "Back"), ("72514-3", "Leg"), ("peg-score", None)]
    assert float(bundle.entry[-1].resource.valueQuantity.value) == 2.3
    assert other_api.get(f"/api/v1/clients/{client_person.id}/observations.fhir.json").status_code == 404


def test_the_outcome_check_exports_as_a_fhir_questionnaire(api):
    from fhir.resources.R4B.questionnaire import Questionnaire

    response = api.get("/api/v1/questionnaires/outcome_check.fhir.json")
    assert response.status_code == 200
    resource = Questionnaire.model_validate(response.json())
    assert {"peg_pain", "peg_enjoyment", "peg_activity", "overall_change"} <= {item.linkId for item in resource.item}


def test_the_daily_sums_follow_a_session_that_turns_out_a_no_show(api, seeded):
    from service.appointments import appointment_mark_no_show
    from service.models import Appointment, OutcomeDaily

    session = Appointment.objects.filter(therapist=seeded["jo"]).get()
    appointment_mark_no_show(appointment=session)
    assert "Jo Reed" not in _rows(api, "therapist")
    assert not OutcomeDaily.objects.filter(key=str(seeded["jo"].id)).exists()
    # Refreshing a day again (a retried receiver) counts nothing twice.
    from service.outcomes import outcome_refresh

    maya_session = Appointment.objects.filter(therapist=seeded["maya"]).first()
    outcome_refresh(appointment=maya_session)
    outcome_refresh(appointment=maya_session)
    assert _rows(api, "therapist")["Maya Patel"]["sessions"] == 3


def test_cancelling_a_booking_that_never_happened_costs_one_query(clinic, therapist, client_person):
    # Every cancellation reaches the outcomes' receiver; one that counted nothing must not lock the clinic.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from service.outcomes import outcome_refresh

    start = NOW() + dt.timedelta(days=2)
    appointment = appointment_book(
        clinic=clinic, client=client_person, therapist=therapist, start=start, end=start + dt.timedelta(hours=1),
        answers={}, service={"name": "Massage", "pressure": "medium", "duration_minutes": 60},
    )  # fmt: skip
    with CaptureQueriesContext(connection) as captured:
        assert outcome_refresh(appointment=appointment) == 0
    statements = [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 1
    assert "FOR UPDATE" not in statements[0]
