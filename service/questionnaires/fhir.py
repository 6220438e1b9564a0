"""FHIR R4 exports: each questionnaire as a Questionnaire, each set of answers as a QuestionnaireResponse."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from service.api.auth import request_clinic
from service.models import QuestionnaireResponse
from service.questionnaires.selectors import questionnaire_for_clinic
from service.screening.definitions import QUESTIONNAIRES, Item, Questionnaire

__all__ = [
    "ClientObservationsFhirView",
    "QuestionnaireFhirView",
    "QuestionnaireResponseFhirView",
    "observations_bundle",
    "questionnaire_resource",
    "response_resource",
]

# LOINC 72514-3: "Pain severity - 0-10 verbal numeric rating [Score] - Reported". Leg or back is the
# body site, as text (no coded site is claimed). The PEG score has no LOINC code we could confirm, so
# it is coded in SessionGuard's own code system.
PAIN_SCORE = {"system": "http://loinc.org", "code": "72514-3",
              "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported"}  # fmt: skip
SURVEY = {"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "survey", "display": "Survey"}

MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
_TYPES = {"boolean": "boolean", "integer": "integer", "choice": "choice", "text": "text"}


class FhirJsonRenderer(JSONRenderer):
    media_type = "application/fhir+json"
    format = "fhir"


def _fhir_id(kind: str) -> str:
    # FHIR ids allow letters, digits, "-" and "." only.
    return kind.replace("_", "-")


def questionnaire_url(kind: str) -> str:
    return f"{settings.SITE_URL}/api/v1/questionnaires/{kind}.fhir.json"


def _answer_value(item: Item, value: object, prefix: str = "value") -> dict[str, Any]:
    """`valueX` for an answer; `answerX` (prefix "answer") for an enableWhen condition."""
    if item.type == "boolean":
        return {f"{prefix}Boolean": value}
    if item.type == "integer":
        return {f"{prefix}Integer": value}
    if item.type == "choice":
        labels = {choice.value: choice.label for choice in item.choices}
        return {f"{prefix}Coding": {"code": value, "display": labels.get(str(value), str(value))}}
    return {f"{prefix}String": value}


def _item(questionnaire: Questionnaire, item: Item) -> dict[str, Any]:
    resource: dict[str, Any] = {"linkId": item.key, "text": item.text, "type": _TYPES[item.type], "required": False}
    if item.choices:
        resource["answerOption"] = [{"valueCoding": {"code": c.value, "display": c.label}} for c in item.choices]
    if item.type == "integer":
        extensions = []
        if item.minimum is not None:
            extensions.append({"url": MIN_VALUE, "valueInteger": item.minimum})
        if item.maximum is not None:
            extensions.append({"url": MAX_VALUE, "valueInteger": item.maximum})
        if extensions:
            resource["extension"] = extensions
    if item.type == "text" and item.maximum:
        resource["maxLength"] = item.maximum
    if item.enable_when:
        resource["enableWhen"] = [
            {"question": c.key, "operator": "=", **_answer_value(questionnaire.item(c.key), c.equals, "answer")}
            for c in item.enable_when
        ]
        if len(item.enable_when) > 1:
            resource["enableBehavior"] = "all"
    return resource


def questionnaire_resource(questionnaire: Questionnaire) -> dict[str, Any]:
    """A FHIR R4 Questionnaire: linkId is the answer key; conditions become enableWhen."""
    return {
        "resourceType": "Questionnaire",
        "id": _fhir_id(questionnaire.kind),
        "url": questionnaire_url(questionnaire.kind),
        "version": questionnaire.version,
        "name": "SessionGuard" + "".join(part.title() for part in questionnaire.kind.split("_")),
        "title": questionnaire.title,
        "status": "active",
        "subjectType": ["Patient"],
        "publisher": "SessionGuard",
        "description": "Screening questions for massage clients with sciatica. A screening, not a diagnosis.",
        "item": [_item(questionnaire, item) for item in questionnaire.items],
    }


def response_resource(response: QuestionnaireResponse) -> dict[str, Any]:
    """A FHIR R4 QuestionnaireResponse with the answers in questionnaire order."""
    questionnaire = questionnaire_for_clinic(response.kind, response.appointment.clinic)
    answers = response.answers or {}
    appointment = response.appointment
    return {
        "resourceType": "QuestionnaireResponse",
        "id": str(response.id),
        "questionnaire": f"{questionnaire_url(response.kind)}|{questionnaire.version}",
        "status": "amended" if response.submission_count > 1 else "completed",
        "subject": {"reference": f"Patient/{appointment.client_id}", "display": appointment.client.name},
        "authored": response.submitted_at.isoformat(),
        "item": [
            {"linkId": item.key, "text": item.text, "answer": [_answer_value(item, answers[item.key])]}
            for item in questionnaire.items
            if item.key in answers
        ],
    }


class QuestionnaireFhirView(APIView):
    renderer_classes = [FhirJsonRenderer, JSONRenderer]

    @extend_schema(
        operation_id="questionnaire_fhir",
        responses={200: OpenApiResponse(description="A FHIR R4 Questionnaire resource.")},
    )
    def get(self, request: Request, kind: str) -> Response:
        if kind not in QUESTIONNAIRES:
            raise exceptions.NotFound("There is no questionnaire of that kind.")
        # The questions as the caller's clinic asks them (its spinal-procedure window).
        return Response(questionnaire_resource(questionnaire_for_clinic(kind, request_clinic(request))))


class QuestionnaireResponseFhirView(APIView):
    renderer_classes = [FhirJsonRenderer, JSONRenderer]

    @extend_schema(
        operation_id="questionnaire_response_fhir",
        responses={200: OpenApiResponse(description="A FHIR R4 QuestionnaireResponse resource.")},
    )
    def get(self, request: Request, appointment_id: str, response_id: str) -> Response:
        response = get_object_or_404(
            QuestionnaireResponse.objects.select_related("appointment__client"),
            pk=response_id,
            appointment_id=appointment_id,
            appointment__clinic=request_clinic(request),
        )
        return Response(response_resource(response))


def _measures_system() -> str:
    return f"{settings.SITE_URL}/fhir/CodeSystem/sessionguard-measures"


def _observation(
    entry: Any, client_id: Any, key: str, code: dict[str, str], value: dict[str, Any], site: str = ""
) -> dict:
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": f"{entry.appointment_id}-{entry.source}-{key}".replace("_", "-")[:64],
        "status": "final",
        "category": [{"coding": [SURVEY]}],
        "code": {"coding": [code], "text": code["display"]},
        "subject": {"reference": f"Patient/{client_id}"},
        "effectiveDateTime": entry.at.isoformat(),
        **value,
    }
    if site:
        resource["bodySite"] = {"text": site}
    return resource


def observations_bundle(client: Any) -> dict[str, Any]:
    """The client's pain scores and PEG scores over time as FHIR R4 Observations in a Bundle."""
    from service.outcomes import client_timeline

    peg_code = {"system": _measures_system(), "code": "peg-score",
                "display": "PEG 3-item pain scale score (mean of three 0-10 items)"}  # fmt: skip
    resources = []
    for entry in client_timeline(client=client):
        for key, score, site in (("leg", entry.leg_pain, "Leg"), ("back", entry.back_pain, "Back")):
            if score is not None:
                resources.append(_observation(entry, client.pk, key, PAIN_SCORE, {"valueInteger": score}, site))
        if entry.peg is not None:
            quantity = {"value": entry.peg, "unit": "score", "system": "http://unitsofmeasure.org", "code": "{score}"}
            resources.append(_observation(entry, client.pk, "peg", peg_code, {"valueQuantity": quantity}))
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "total": len(resources),
        "entry": [{"fullUrl": f"{settings.SITE_URL}/fhir/Observation/{r['id']}", "resource": r} for r in resources],
    }


class ClientObservationsFhirView(APIView):
    renderer_classes = [FhirJsonRenderer, JSONRenderer]

    @extend_schema(
        operation_id="client_observations_fhir",
        responses={200: OpenApiResponse(description="A FHIR R4 Bundle of Observations: pain and PEG scores.")},
    )
    def get(self, request: Request, client_id: str) -> Response:
        from service.models import Client

        client = get_object_or_404(Client, pk=client_id, clinic=request_clinic(request))
        return Response(observations_bundle(client))
