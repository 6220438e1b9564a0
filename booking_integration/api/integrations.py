"""Integrations with booking platforms: create, list, read, delete; their deliveries and replay."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from booking_integration import inbound
from booking_integration.models import InboundDelivery, Integration
from booking_integration.platforms.registry import get_platform, platform_names
from service.api.auth import request_clinic
from service.api.fields import UUID_PATTERN
from service.api.pagination import ApiCursorPagination, CreatedCursorPagination
from service.models import Therapist
from service.models.appointments import Pressure
from service.screening.definitions import get_questionnaire

BOOKING_ANSWER_KEYS = tuple(item.key for item in get_questionnaire("booking").items)
# Settings that are credentials: accepted, never shown again.
SECRET_SETTINGS = frozenset({"api_key"})


class IntegrationSettingsSerializer(serializers.Serializer):
    service_pressure = serializers.DictField(
        child=serializers.ChoiceField(choices=Pressure.values),
        required=False,
        help_text="The platform's service name or id → light, medium, firm or deep (default medium).",
    )
    staff = serializers.DictField(
        child=serializers.UUIDField(),
        required=False,
        help_text="The platform's staff id or email → the id of one of the clinic's therapists.",
    )
    answer_map = serializers.DictField(
        child=serializers.ChoiceField(choices=BOOKING_ANSWER_KEYS),
        required=False,
        help_text="A booking-form question's label or field name → an answer key.",
    )
    api_base_url = serializers.URLField(required=False, max_length=500)
    api_user = serializers.CharField(required=False, max_length=200)
    api_key = serializers.CharField(required=False, max_length=500, write_only=True)
    notification_url = serializers.URLField(required=False, max_length=2000)
    on_hold = serializers.ChoiceField(
        choices=["none", "cancel"],
        required=False,
        help_text=(
            "cancel: a booking from the platform that screens refer_urgently or needs_clearance is cancelled on"
            " the platform through its API (needs api_key; Mindbody cannot), with a calm reason. Default none."
        ),
    )

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                known = ", ".join(self.fields)
                raise serializers.ValidationError({key: [f"Not a setting; use one of: {known}."] for key in unknown})
        return super().to_internal_value(data)

    def validate_staff(self, value: dict[str, Any]) -> dict[str, str]:
        clinic = self.context["clinic"]
        ids = {str(therapist_id) for therapist_id in value.values()}
        known = {str(pk) for pk in Therapist.objects.filter(clinic=clinic, pk__in=ids).values_list("pk", flat=True)}
        unknown = {key: ["No therapist of this clinic has this id."] for key, v in value.items() if str(v) not in known}
        if unknown:
            raise serializers.ValidationError(unknown)
        return {key: str(therapist_id) for key, therapist_id in value.items()}


class IntegrationSerializer(serializers.ModelSerializer):
    platform = serializers.ChoiceField(choices=platform_names())
    signing_secret = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=500,
        help_text="The secret the platform signs with (Acuity signs with settings.api_key instead).",
    )
    settings = IntegrationSettingsSerializer(required=False)
    webhook_url = serializers.SerializerMethodField(help_text="Paste this into the platform's webhook settings.")

    class Meta:
        model = Integration
        fields = ["id", "platform", "signing_secret", "settings", "webhook_url", "created_at"]
        read_only_fields = ["id", "webhook_url", "created_at"]

    def get_webhook_url(self, integration: Integration) -> str:
        return inbound.webhook_url(integration)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["platform"].choices = platform_names()  # the registry as it is now, not at import

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        errors = get_platform(attrs["platform"]).validate_settings(
            signing_secret=attrs.get("signing_secret", ""), settings=attrs.get("settings") or {}
        )
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def to_representation(self, instance: Integration) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["settings"] = {k: v for k, v in (instance.settings or {}).items() if k not in SECRET_SETTINGS}
        return data


class InboundDeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = InboundDelivery
        fields = [
            "id",
            "received_at",
            "status",
            "signature_ok",
            "event_type",
            "result",
            "error",
            "attempts",
            "processed_at",
        ]
        read_only_fields = fields


class ReceivedCursorPagination(ApiCursorPagination):
    ordering = ("-received_at", "-id")


INTEGRATION_EXAMPLE = OpenApiExample(
    "Cal.com, with its maps",
    value={
        "platform": "calcom",
        "signing_secret": "the secret set on the Cal.com webhook",
        "settings": {
            "service_pressure": {"deep-tissue-60": "deep", "Relaxing massage": "light"},
            "staff": {"3021": "9b2f8f0e-5a7c-4d7e-9d0e-2a6f0f3c1b11"},
            "answer_map": {"Do you have sciatica?": "has_sciatica"},
        },
    },
    request_only=True,
)


@extend_schema_view(
    list=extend_schema(summary="List integrations", tags=["integrations"]),
    create=extend_schema(summary="Connect a booking platform", tags=["integrations"], examples=[INTEGRATION_EXAMPLE]),
    retrieve=extend_schema(summary="Read an integration", tags=["integrations"]),
    destroy=extend_schema(summary="Disconnect a booking platform (its deliveries are kept)", tags=["integrations"]),
)
class IntegrationViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = IntegrationSerializer
    pagination_class = CreatedCursorPagination
    lookup_value_regex = UUID_PATTERN

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no clinic
            return Integration.objects.none()
        return Integration.objects.filter(clinic=request_clinic(self.request), active=True)

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if getattr(self.request, "auth", None) is not None:
            context["clinic"] = request_clinic(self.request)
        return context

    def perform_create(self, serializer: serializers.Serializer) -> None:
        data = serializer.validated_data
        serializer.instance = inbound.integration_create(
            clinic=request_clinic(self.request),
            platform=data["platform"],
            signing_secret=data.get("signing_secret", ""),
            settings=data.get("settings") or {},
        )

    def perform_destroy(self, instance: Integration) -> None:
        inbound.integration_delete(integration=instance)

    @extend_schema(
        summary="What came in from the platform, with its result",
        tags=["integrations"],
        responses=InboundDeliverySerializer(many=True),
        parameters=[OpenApiParameter("cursor", str, description="From `next` or `previous`.")],
    )
    @action(detail=True, methods=["get"], pagination_class=ReceivedCursorPagination)
    def deliveries(self, request: Request, pk: str | None = None) -> Response:
        integration = self.get_object()
        # The body may hold booking-form answers: it is never loaded for a list.
        queryset = InboundDelivery.objects.filter(integration=integration).defer("body", "headers")
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(InboundDeliverySerializer(page, many=True).data)

    @extend_schema(
        summary="Run a delivery again",
        description="For a delivery that failed (or was processed and should be applied again). "
        "Refused, malformed, ignored and duplicate deliveries cannot be replayed (409).",
        tags=["integrations"],
        request=None,
        responses={202: InboundDeliverySerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=rf"deliveries/(?P<delivery_id>{UUID_PATTERN})/replay",
        url_name="delivery-replay",
    )
    def replay(self, request: Request, pk: str | None = None, delivery_id: str | None = None) -> Response:
        integration = self.get_object()
        delivery = InboundDelivery.objects.filter(integration=integration, pk=delivery_id).defer("body").first()
        if delivery is None:
            raise NotFound()
        delivery = inbound.delivery_replay(delivery=delivery)
        return Response(InboundDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
