"""Answers before and after the session: aggravation is flagged, the rules run again, answers are kept."""

from __future__ import annotations

import datetime as dt

import pytest

from service.models import Flag, FlagKind, Invitation, QuestionnaireResponse, Screening
from service.questionnaires.scheduling import invitations_send_batch
from service.questionnaires.submission import InvitationClosed, questionnaire_submit
from service.screening.answers import AnswersInvalid
from tests.questionnaires.support import open_link

pytestmark = pytest.mark.django_db

BOOKING = {"has_sciatica": True, "pain_below_knee": True, "leg_pain_now": 3, "back_pain_now": 2}


def submit(appointment, kind, answers):
    invitation = Invitation.objects.get(appointment=appointment, kind=kind)
    return questionnaire_submit(invitation=invitation, answers=answers)


def flags(appointment, source):
    return list(Flag.objects.filter(appointment=appointment, source=source).order_by("created_at"))


@pytest.fixture
def pre(clinic, therapist, client_person):
    appointment, _ = open_link(
        clinic=clinic, client=client_person, therapist=therapist, kind="pre_session", answers=BOOKING
    )
    return appointment


@pytest.fixture
def post(clinic, therapist, client_person):
    appointment, _ = open_link(
        clinic=clinic, client=client_person, therapist=therapist, kind="post_session", answers=BOOKING
    )
    return appointment


def test_pain_up_two_points_since_booking_opens_a_warning_aggravation_flag_and_screens_again(pre):
    result = submit(pre, "pre_session", {**BOOKING, "leg_pain_now": 5})

    (flag,) = [f for f in flags(pre, "pre_session") if f.kind == FlagKind.AGGRAVATION]
    assert (flag.severity, flag.reasons[0]["rule"]) == ("warning", "PRE-PAIN-RISE")
    screening = Screening.objects.filter(appointment=pre, source="pre_session").get()
    pre.refresh_from_db()
    assert pre.latest_screening == screening
    assert flag.screening == screening
    assert result.outcome == screening.outcome == "proceed_with_modifications"
    assert any("higher than when you booked" in m for m in result.messages)
    assert result.emergency is False


def test_no_change_opens_no_aggravation_flag(pre):
    result = submit(pre, "pre_session", BOOKING)
    assert not [f for f in flags(pre, "pre_session") if f.kind == FlagKind.AGGRAVATION]
    assert result.outcome == "proceed_with_modifications"  # MOD-RADICULAR, as at booking


def test_a_new_red_flag_before_the_session_is_critical_with_emergency_wording(pre):
    result = submit(pre, "pre_session", {**BOOKING, "bladder_change": True})

    critical = [f for f in flags(pre, "pre_session") if f.severity == "critical"]
    assert [f.kind for f in critical] == [FlagKind.RED_FLAG]  # one, not one per check: one alert
    assert result.outcome == "refer_urgently"
    assert result.emergency is True
    assert any("999" in m for m in result.messages)


def test_a_second_submission_replaces_the_answers_and_makes_a_new_screening(pre):
    submit(pre, "pre_session", {**BOOKING, "leg_pain_now": 5})
    submit(pre, "pre_session", {**BOOKING, "leg_pain_now": 6, "concerns": "better today"})

    response = QuestionnaireResponse.objects.get(appointment=pre)
    assert response.submission_count == 2
    assert response.answers["leg_pain_now"] == 6
    assert Screening.objects.filter(appointment=pre, source="pre_session").count() == 2
    assert response.screening == Screening.objects.filter(appointment=pre, source="pre_session").latest("created_at")
    # The same finding is not flagged twice while its flag is open.
    assert len([f for f in flags(pre, "pre_session") if f.kind == FlagKind.AGGRAVATION]) == 1


def test_invalid_answers_name_each_field_and_store_nothing(pre):
    with pytest.raises(AnswersInvalid) as caught:
        submit(pre, "pre_session", {"leg_pain_now": 11, "nonsense": True})
    assert [e["attr"] for e in caught.value.errors] == ["answers.leg_pain_now", "answers.nonsense"]
    assert not QuestionnaireResponse.objects.exists()
    assert not Screening.objects.filter(source="pre_session").exists()


def test_answers_after_the_session_started_are_refused(pre):
    from service.appointments import appointment_cancel

    appointment_cancel(appointment=pre)
    with pytest.raises(InvitationClosed):
        submit(pre, "pre_session", BOOKING)


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"overall_change": "worse"}, [("warning", "aggravation", "F-AGGRAVATION")]),
        ({"soreness": "down_the_leg"}, [("warning", "aggravation", "F-AGGRAVATION")]),
        ({"saddle_numbness": True}, [("critical", "red_flag", "F-RED-FLAG")]),
        ({"soreness": "massaged_area", "usual_activities_ok": True, "overall_change": "better"}, []),
    ],
)
def test_the_follow_up_flags_what_it_finds_and_not_expected_soreness(post, answers, expected):
    result = submit(post, "post_session", answers)
    found = [(f.severity, f.kind, f.reasons[0]["rule"]) for f in flags(post, "post_session")]
    assert found == expected
    screening = Screening.objects.get(appointment=post, source="post_session")
    assert screening.outcome == result.outcome
    assert (result.emergency, screening.emergency) == (
        (True, True) if expected and expected[0][0] == "critical" else (False, False)
    )


def test_expected_soreness_tells_the_client_it_is_normal(post):
    result = submit(post, "post_session", {"soreness": "massaged_area", "usual_activities_ok": True})
    assert result.outcome == "proceed"
    assert any("normal" in m for m in result.messages)


def test_bruising_with_blood_thinners_on_file_is_a_warning(clinic, therapist, client_person):
    appointment, _ = open_link(
        clinic=clinic,
        client=client_person,
        therapist=therapist,
        kind="post_session",
        answers={**BOOKING, "blood_thinners": True},
    )
    result = submit(appointment, "post_session", {"unusual_bruising": True})
    assert [(f.severity, f.kind) for f in flags(appointment, "post_session")] == [("warning", "bruising")]
    assert result.outcome == "needs_clearance"


def test_leg_pain_up_since_the_pre_session_answer_is_aggravation(clinic, therapist, client_person):
    appointment, _ = open_link(
        clinic=clinic, client=client_person, therapist=therapist, kind="pre_session", answers=BOOKING
    )
    submit(appointment, "pre_session", BOOKING)  # leg pain 3
    invitations_send_batch(now=appointment.end + dt.timedelta(hours=25))
    submit(appointment, "post_session", {"leg_pain_now": 5, "overall_change": "same"})
    assert [f.reasons[0]["rule"] for f in flags(appointment, "post_session")] == ["F-AGGRAVATION"]
