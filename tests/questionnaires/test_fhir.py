"""FHIR R4 exports, validated with fhir.resources (its R4B models: 8.1 ships R5 by default, R4B and STU3)."""

from __future__ import annotations

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse as FhirResponse

from service.models import Invitation, QuestionnaireResponse
from service.questionnaires.submission import questionnaire_submit
from service.screening.definitions import get_questionnaire
from tests.questionnaires.support import open_link

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["pre_session", "post_session"])
def test_each_questionnaire_is_a_valid_fhir_r4_questionnaire(api, kind):
    answer = api.get(f"/api/v1/questionnaires/{kind}.fhir.json")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/fhir+json"
    body = answer.json()

    resource = Questionnaire.model_validate(body)
    assert resource.status == "active"
    assert [item.linkId for item in resource.item] == list(get_questionnaire(kind).keys)
    items = {item.linkId: item for item in resource.item}
    pain = items["leg_pain_now"]
    assert pain.type == "integer"
    assert {e.url.rsplit("/", 1)[1]: e.valueInteger for e in pain.extension} == {"minValue": 0, "maxValue": 10}
    assert items["concerns"].type == "text"
    assert items["concerns"].maxLength == 2000
    if kind == "pre_session":
        assert items["has_sciatica"].type == "boolean"
        (condition,) = items["pain_below_knee"].enableWhen
        assert (condition.question, condition.operator, condition.answerBoolean) == ("has_sciatica", "=", True)
        assert [o.valueCoding.code for o in items["trauma_recent"].answerOption] == ["none", "minor", "major"]
    else:
        assert items["overall_change"].type == "choice"
        assert len(items["overall_change"].answerOption) == 7


def test_the_export_needs_a_key_and_a_known_kind(anon_api, api):
    assert anon_api.get("/api/v1/questionnaires/pre_session.fhir.json").status_code == 401
    answer = api.get("/api/v1/questionnaires/nonsense.fhir.json")
    assert answer.status_code == 404
    assert answer["Content-Type"] == "application/problem+json"


def test_a_response_is_a_valid_fhir_r4_questionnaire_response(api, clinic, therapist, client_person):
    appointment, _ = open_link(clinic=clinic, client=client_person, therapist=therapist, kind="pre_session")
    invitation = Invitation.objects.get(appointment=appointment, kind="pre_session")
    questionnaire_submit(
        invitation=invitation,
        answers={"has_sciatica": True, "pain_below_knee": False, "leg_pain_now": 4, "trauma_recent": "minor",
                 "concerns": "Left side mostly."},
    )  # fmt: skip
    response = QuestionnaireResponse.objects.get(appointment=appointment)

    answer = api.get(f"/api/v1/appointments/{appointment.id}/responses/{response.id}.fhir.json")
    assert answer.status_code == 200
    resource = FhirResponse.model_validate(answer.json())
    assert resource.status == "completed"
    assert resource.questionnaire.endswith("/api/v1/questionnaires/pre_session.fhir.json|1.1.0")
    values = {item.linkId: item.answer[0] for item in resource.item}
    assert values["has_sciatica"].valueBoolean is True
    assert values["pain_below_knee"].valueBoolean is False
    assert values["leg_pain_now"].valueInteger == 4
    assert values["trauma_recent"].valueCoding.code == "minor"
    assert values["concerns"].valueString == "Left side mostly."
    assert [item.linkId for item in resource.item] == [
        "has_sciatica",
        "pain_below_knee",
        "leg_pain_now",
        "trauma_recent",
        "concerns",
    ]


def test_another_clinics_response_is_a_404(other_api, api, clinic, therapist, client_person):
    appointment, _ = open_link(clinic=clinic, client=client_person, therapist=therapist, kind="pre_session")
    invitation = Invitation.objects.get(appointment=appointment, kind="pre_session")
    questionnaire_submit(invitation=invitation, answers={"leg_pain_now": 4})
    response = QuestionnaireResponse.objects.get(appointment=appointment)
    path = f"/api/v1/appointments/{appointment.id}/responses/{response.id}.fhir.json"

    assert other_api.get(path).status_code == 404
    # And the response must belong to that appointment.
    other, _ = open_link(clinic=clinic, client=client_person, therapist=therapist, kind="pre_session", in_hours=40)
    assert api.get(f"/api/v1/appointments/{other.id}/responses/{response.id}.fhir.json").status_code == 404
