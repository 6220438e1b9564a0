"""GET/PATCH /api/v1/clinic: the caller's clinic and its screening policy (every *default* threshold)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from service.api.auth import request_clinic
from service.audit import actor_for_request
from service.clinics import clinic_update
from service.models import Clinic
from service.models.clinics import validate_timezone
from service.screening.policy import ClinicPolicy, PolicyInvalid


class ClinicSerializer(serializers.ModelSerializer):
    policy = serializers.DictField(
        required=False, help_text="Overrides of the policy defaults; the answer shows the policy in force."
    )

    class Meta:
        model = Clinic
        fields = [
            "id",
            "name",
            "timezone",
            "emergency_region",
            "language",
            "contact_email",
            "contact_phone",
            "website",
            "policy",
        ]
        read_only_fields = ["id"]

    def validate_timezone(self, value: str) -> str:
        from django.core.exceptions import ValidationError

        try:
            validate_timezone(value)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None
        return value

    def validate_policy(self, value: dict[str, Any]) -> dict[str, Any]:
        value = {k: v for k, v in value.items() if k != "emergency_region"}  # a clinic field, not an override
        try:
            ClinicPolicy.from_dict(value)
        except PolicyInvalid as exc:
            raise serializers.ValidationError(
                {
                    e["attr"].removeprefix("policy."): [serializers.ErrorDetail(e["detail"], code=e["code"])]
                    for e in exc.errors
                }
            ) from None
        return value

    def to_representation(self, instance: Clinic) -> dict[str, Any]:
        data = super().to_representation(instance)
        in_force = ClinicPolicy.from_dict({**(instance.policy or {}), "emergency_region": instance.emergency_region})
        data["policy"] = {k: v for k, v in in_force.to_dict().items() if k != "emergency_region"}
        return data


class ClinicView(GenericAPIView):
    serializer_class = ClinicSerializer

    @extend_schema(summary="Read your clinic and the policy in force", tags=["clinic"])
    def get(self, request: Request) -> Response:
        return Response(self.get_serializer(request_clinic(request)).data)

    @extend_schema(
        summary="Change your clinic's details or policy",
        tags=["clinic"],
        examples=[
            OpenApiExample(
                "Offer a gentle session instead of rescheduling a flare",
                value={"policy": {"flare_action": "gentle_only", "flare_pain_threshold": 8}},
                request_only=True,
            )
        ],
    )
    def patch(self, request: Request) -> Response:
        clinic = request_clinic(request)
        serializer = self.get_serializer(clinic, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        clinic = clinic_update(clinic=clinic, changes=serializer.validated_data, actor=actor_for_request(request))
        return Response(self.get_serializer(clinic).data)
