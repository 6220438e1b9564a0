"""The JSON twin of the questionnaire page: no API key, the token is the key; problem+json errors."""

from __future__ import annotations

import pytest

from service.models import QuestionnaireResponse
from tests.conftest import fresh_address
from tests.questionnaires.support import open_link

pytestmark = pytest.mark.django_db


@pytest.fixture
def link(clinic, therapist, client_person):
    return open_link(
        clinic=clinic, client=client_person, therapist=therapist, kind="pre_session", answers={"leg_pain_now": 2}
    )


def test_get_lists_the_questions_with_types_ranges_and_conditions(link, anon_api, clinic):
    appointment, token = link
    answer = anon_api.get(f"/api/v1/public/questionnaires/{token}")

    assert answer.status_code == 200
    body = answer.json()
    assert body["kind"] == "pre_session"
    questions = {q["key"]: q for q in body["questions"]}
    assert questions["leg_pain_now"]["type"] == "integer"
    assert questions["leg_pain_now"]["range"] == {"min": 0, "max": 10}
    assert questions["pain_below_knee"]["conditions"] == [{"key": "has_sciatica", "equals": True}]
    assert [c["value"] for c in questions["trauma_recent"]["choices"]] == ["none", "minor", "major"]
    assert body["appointment"]["therapist_name"] == "Sam Rivers"
    expected = appointment.start.astimezone(clinic.tz).isoformat()
    assert body["appointment"]["start"] == expected


def test_post_answers_returns_the_outcome_and_the_clients_messages(link, anon_api):
    appointment, token = link
    answer = anon_api.post(f"/api/v1/public/questionnaires/{token}", {"answers": {"leg_pain_now": 6}}, format="json")
    assert answer.status_code == 200
    body = answer.json()
    # The screening's outcome; the rise since booking is a finding (and a flag), told in the messages.
    assert body["outcome"] == "proceed"
    assert any("higher than when you booked" in m for m in body["messages"])
    assert body["emergency"] is False
    assert QuestionnaireResponse.objects.get(appointment=appointment).answers == {"leg_pain_now": 6}


def test_a_red_flag_answer_is_urgent_with_emergency_set(link, anon_api):
    _, token = link
    body = anon_api.post(
        f"/api/v1/public/questionnaires/{token}", {"answers": {"bowel_change": True}}, format="json"
    ).json()
    assert body["outcome"] == "refer_urgently"
    assert body["emergency"] is True


def test_invalid_answers_are_a_400_naming_each_answer(link, anon_api):
    _, token = link
    answer = anon_api.post(
        f"/api/v1/public/questionnaires/{token}",
        {"answers": {"leg_pain_now": "6", "pain_below_knee": True, "made_up": 1}},
        format="json",
    )
    assert answer.status_code == 400
    assert answer["Content-Type"] == "application/problem+json"
    errors = {e["attr"]: e["code"] for e in answer.json()["errors"]}
    assert errors == {
        "answers.leg_pain_now": "invalid_type",
        "answers.pain_below_knee": "condition_not_met",
        "answers.made_up": "unknown_key",
    }
    assert not QuestionnaireResponse.objects.exists()


def test_a_body_without_answers_is_a_400(link, anon_api):
    _, token = link
    answer = anon_api.post(f"/api/v1/public/questionnaires/{token}", {"answer": {}}, format="json")
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["attr"] == "answers"


@pytest.mark.parametrize("method", ["get", "post"])
def test_unknown_or_ended_links_are_a_404_problem(link, anon_api, method):
    from service.appointments import appointment_cancel

    appointment, token = link
    appointment_cancel(appointment=appointment)
    for path in (f"/api/v1/public/questionnaires/{token}", "/api/v1/public/questionnaires/" + "x" * 43):
        answer = (
            getattr(anon_api, method)(path, {"answers": {}}, format="json") if method == "post" else anon_api.get(path)
        )
        assert answer.status_code == 404
        assert answer["Content-Type"] == "application/problem+json"


def test_no_api_key_is_needed_and_a_key_changes_nothing(link, api):
    _, token = link
    assert api.get(f"/api/v1/public/questionnaires/{token}").status_code == 200


def test_the_json_twin_is_rate_limited(link, anon_api, settings):
    settings.RATELIMIT_ENABLE = True
    _, token = link
    address = fresh_address()
    codes = [anon_api.get(f"/api/v1/public/questionnaires/{token}", REMOTE_ADDR=address).status_code for _ in range(31)]
    assert codes[-1] == 429
    assert codes[:30] == [200] * 30
