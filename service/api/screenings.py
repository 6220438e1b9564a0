"""POST /api/v1/screenings: screen a booking request without booking it; and the Screening shape."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from service import people
from service.api.auth import request_clinic
from service.api.fields import AwareDateTimeField
from service.api.idempotency import idempotent
from service.api.people import ClientSerializer
from service.models import Client, Screening
from service.models.appointments import Pressure
from service.payloads import screening_data
from service.screening.answers import AnswersInvalid, validate_answers
from service.screening.engine import OUTCOMES
from service.screenings import screening_create


class SuggestedTherapistSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class ReasonSerializer(serializers.Serializer):
    rule = serializers.CharField()
    outcome = serializers.ChoiceField(choices=OUTCOMES)
    client_message = serializers.CharField()
    therapist_message = serializers.CharField()


class RuleSetSerializer(serializers.Serializer):
    name = serializers.CharField(source="rule_set_name")
    version = serializers.CharField(source="rule_set_version")


class ScreeningSerializer(serializers.ModelSerializer):
    outcome = serializers.ChoiceField(choices=OUTCOMES)
    rule_set = RuleSetSerializer(source="*")
    reasons = ReasonSerializer(many=True)
    modifications = serializers.ListField(child=serializers.CharField())
    suggested_therapists = SuggestedTherapistSerializer(many=True)
    appointment_id = serializers.UUIDField(allow_null=True)

    class Meta:
        model = Screening
        fields = [
            "id",
            "appointment_id",
            "outcome",
            "rule_set",
            "reasons",
            "modifications",
            "earliest_advised_start",
            "suggested_therapists",
            "emergency",
            "created_at",
        ]
        read_only_fields = fields


class ServiceSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    pressure = serializers.ChoiceField(choices=Pressure.values)
    duration_minutes = serializers.IntegerField(min_value=5, max_value=600, default=60)


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "format": "uuid", "description": "The id of one of the clinic's clients."},
            {"$ref": "#/components/schemas/ClientRequest"},
        ]
    }
)
class ClientRefField(serializers.Field):
    """A client's id, or a client object matched by external id, then email (created when new)."""

    default_error_messages = {
        "unknown": "No client of this clinic has this id.",
        "type": "Give a client id or a client object.",
    }

    def to_internal_value(self, data: Any) -> str | dict:
        if isinstance(data, str):
            try:
                return str(serializers.UUIDField().to_internal_value(data))
            except serializers.ValidationError:
                self.fail("unknown")
        if isinstance(data, dict):
            nested = ClientSerializer(data=data, context=self.context)
            nested.is_valid(raise_exception=True)
            values = dict(nested.validated_data)
            values["external_ids"] = values.pop("external_refs", {})
            return values
        self.fail("type")

    def to_representation(self, value: Client) -> dict:
        return ClientSerializer(value, context=self.context).data


class ScreeningRequestSerializer(serializers.Serializer):
    client = ClientRefField(
        help_text="A client id, or {name, email, phone, date_of_birth, contact_channels, external_ids}."
    )
    therapist_id = serializers.UUIDField(required=False, allow_null=True)
    service = ServiceSerializer()
    start = AwareDateTimeField()
    answers = serializers.DictField(required=False, default=dict, help_text="Answer keys (docs/answers.md).")

    answers_kind = "booking"

    def validate_answers(self, value: dict) -> dict:
        try:
            return validate_answers(value, kind=self.answers_kind)
        except AnswersInvalid as exc:
            raise serializers.ValidationError(
                {
                    e["attr"].removeprefix("answers."): [serializers.ErrorDetail(e["detail"], code=e["code"])]
                    for e in exc.errors
                }
            ) from None

    def validate(self, attrs: dict) -> dict:
        if "end" in attrs and attrs["end"] <= attrs["start"]:
            raise serializers.ValidationError({"end": ["The end must come after the start."]})
        # Client and therapist in one statement; both are kept, so the view books with these rows.
        client_id = attrs["client"] if isinstance(attrs["client"], str) else None
        client, therapist = people.booking_parties(
            clinic=self.context["clinic"], client_id=client_id, therapist_id=attrs.get("therapist_id")
        )
        errors = {}
        if client_id is not None:
            if client is None:
                errors["client"] = ["No client of this clinic has this id."]
            attrs["client"] = client
        if attrs.get("therapist_id") is not None and therapist is None:
            errors["therapist_id"] = ["No active therapist of this clinic has this id."]
        if errors:
            raise serializers.ValidationError(errors)
        attrs["therapist_id"] = therapist
        return attrs


SCREENING_EXAMPLE = OpenApiExample(
    "A client with sciatica asking for deep pressure",
    value={
        "client": {"name": "Alex Morgan", "email": "alex@example.com", "date_of_birth": "1980-04-02"},
        "therapist_id": "3f0c6a51-7a57-4a35-9d8e-0f6e3b0f9a11",
        "service": {"name": "Deep tissue massage", "pressure": "deep", "duration_minutes": 60},
        "start": "2026-12-01T10:00:00+00:00",
        "answers": {"has_sciatica": True, "pain_below_knee": True, "leg_pain_now": 4, "worst_pain_24h": 5},
    },
    request_only=True,
)
IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="A repeat with the same key within 24 hours returns the first answer and creates nothing.",
)


class ScreeningCreateView(GenericAPIView):
    serializer_class = ScreeningRequestSerializer

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "clinic": request_clinic(self.request)}

    @extend_schema(
        summary="Screen a booking request without booking it",
        tags=["screenings"],
        request=ScreeningRequestSerializer,
        responses={201: ScreeningSerializer},
        examples=[SCREENING_EXAMPLE],
        parameters=[IDEMPOTENCY_HEADER],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        screening = screening_create(
            clinic=request_clinic(request),
            client=data["client"],
            therapist=data.get("therapist_id"),
            service=dict(data["service"]),
            start=data["start"],
            answers=data["answers"],
        )
        # The same shape as ScreeningSerializer (a test holds them equal), without DRF's nested fields.
        return Response(screening_data(screening), status=status.HTTP_201_CREATED)
