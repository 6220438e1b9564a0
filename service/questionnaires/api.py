"""The questionnaire's JSON twin for booking platforms that embed it: no API key, the link's token is the key."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from service.models import Invitation
from service.questionnaires.invitations import invitation_for_token
from service.questionnaires.selectors import questionnaire_for_clinic
from service.questionnaires.submission import InvitationClosed, questionnaire_submit
from service.questionnaires.views import questionnaire_rate_limited
from service.screening.answers import AnswersInvalid
from service.screening.definitions import Item, Questionnaire

__all__ = ["PublicQuestionnaireView", "question_as_dict", "questionnaire_as_dict"]


def question_as_dict(item: Item) -> dict[str, Any]:
    return {
        "key": item.key,
        "text": item.text,
        "type": item.type,
        "help": item.help,
        "section": item.section,
        "choices": [{"value": c.value, "label": c.label} for c in item.choices],
        "range": (
            {"min": item.minimum, "max": item.maximum}
            if item.type == "integer"
            else ({"max_length": item.maximum} if item.type == "text" and item.maximum else None)
        ),
        "conditions": [{"key": c.key, "equals": c.equals} for c in item.enable_when],
    }


def questionnaire_as_dict(questionnaire: Questionnaire) -> dict[str, Any]:
    return {
        "kind": questionnaire.kind,
        "title": questionnaire.title,
        "version": questionnaire.version,
        "questions": [question_as_dict(item) for item in questionnaire.items],
    }


def _invitation_as_dict(invitation: Invitation) -> dict[str, Any]:
    appointment = invitation.appointment
    return {
        **questionnaire_as_dict(questionnaire_for_clinic(invitation.kind, invitation.clinic)),
        "appointment": {
            "start": appointment.start.astimezone(invitation.clinic.tz).isoformat(),
            "timezone": invitation.clinic.timezone,
            "therapist_name": appointment.therapist.name if appointment.therapist else None,
            "clinic_name": invitation.clinic.name,
        },
        "answered": hasattr(invitation, "response"),
        "expires_at": invitation.expires_at.isoformat() if invitation.expires_at else None,
    }


class _AnswersSerializer(serializers.Serializer):
    answers = serializers.DictField(help_text="Answer key → value, as the questions' types say.")


_RESULT = inline_serializer(
    "QuestionnaireResult",
    {
        "outcome": serializers.CharField(),
        "messages": serializers.ListField(child=serializers.CharField()),
        "emergency": serializers.BooleanField(),
    },
)


class PublicQuestionnaireView(APIView):
    """`GET` the questions of a link, `POST` the answers; unknown or ended links are 404."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    def _invitation(self, request: Request, token: str) -> Invitation:
        if questionnaire_rate_limited(request, token):
            raise exceptions.Throttled(wait=60)
        invitation = invitation_for_token(token)
        if invitation is None:
            raise exceptions.NotFound("This questionnaire link is unknown or has ended.")
        return invitation

    @extend_schema(
        operation_id="public_questionnaire_read",
        auth=[],
        responses={200: OpenApiResponse(description="The questions, the session's start and therapist.")},
    )
    def get(self, request: Request, token: str) -> Response:
        return Response(_invitation_as_dict(self._invitation(request, token)))

    @extend_schema(operation_id="public_questionnaire_answer", auth=[], request=_AnswersSerializer, responses=_RESULT)
    def post(self, request: Request, token: str) -> Response:
        invitation = self._invitation(request, token)
        body = _AnswersSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            result = questionnaire_submit(invitation=invitation, answers=body.validated_data["answers"])
        except InvitationClosed:
            raise exceptions.NotFound("This questionnaire link is unknown or has ended.") from None
        except AnswersInvalid as exc:
            detail = {
                error["attr"].removeprefix("answers."): [exceptions.ErrorDetail(error["detail"], code=error["code"])]
                for error in exc.errors
            }
            raise exceptions.ValidationError({"answers": detail}) from None
        return Response(
            {"outcome": result.outcome, "messages": result.messages, "emergency": result.emergency},
            status=status.HTTP_200_OK,
        )
