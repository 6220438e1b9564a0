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

__all__ = ["QuestionnaireFhirView", "QuestionnaireResponseFhirView", "questionnaire_resource", "response_resource"]

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
