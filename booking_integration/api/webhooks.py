"""Outbound webhook endpoints (secret shown once, rotation), their deliveries, and redelivery."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from booking_integration import outbound
from booking_integration.models import (
    WEBHOOK_EVENTS,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookMessage,
)
from service.api.auth import request_clinic
from service.api.fields import UUID_PATTERN, WordListField
from service.api.pagination import CreatedCursorPagination
from service.http_client import HttpError, check_public_url


class WebhookEndpointSerializer(serializers.ModelSerializer):
    url = serializers.URLField(max_length=2000)
    events = WordListField(WEBHOOK_EVENTS, min_length=1)

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "events", "description", "active", "disabled_reason", "failing_since", "created_at"]
        read_only_fields = ["id", "disabled_reason", "failing_since", "created_at"]

    def validate_url(self, value: str) -> str:
        if settings.ALLOW_PRIVATE_WEBHOOK_URLS:
            return value
        try:
            check_public_url(value)
        except HttpError as exc:
            raise serializers.ValidationError(
                f"Use a public http(s) URL: this one is refused ({exc.message}).", code="url_not_public"
            ) from None
        return value


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(read_only=True, help_text="whsec_…: shown only now. Verify signatures with it.")

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]
        read_only_fields = [*WebhookEndpointSerializer.Meta.read_only_fields, "secret"]


class RotatedSecretSerializer(serializers.ModelSerializer):
    secret = serializers.CharField(read_only=True, help_text="The new whsec_… secret, shown only now.")
    previous_secret_valid_until = serializers.SerializerMethodField()

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "secret", "rotated_at", "previous_secret_valid_until"]
        read_only_fields = fields

    def get_previous_secret_valid_until(self, endpoint: WebhookEndpoint) -> str | None:
        if endpoint.rotated_at is None:
            return None
        return (endpoint.rotated_at + outbound.SECRET_GRACE).isoformat()


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["attempted_at", "status_code", "duration_ms", "response_body", "error"]
        read_only_fields = fields


class WebhookMessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookMessage
        fields = ["id", "event_type", "created_at", "payload"]
        read_only_fields = fields


class WebhookDeliverySerializer(serializers.ModelSerializer):
    endpoint_id = serializers.UUIDField(read_only=True)
    message = WebhookMessageSerializer(read_only=True)
    attempts = WebhookAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "endpoint_id",
            "message",
            "status",
            "attempt_count",
            "next_attempt_at",
            "last_status_code",
            "last_error",
            "succeeded_at",
            "created_at",
            "attempts",
        ]
        read_only_fields = fields


ENDPOINT_EXAMPLE = OpenApiExample(
    "A booking system that wants flags and screenings",
    value={
        "url": "https://booking.example.com/sessionguard/events",
        "events": ["screening.completed", "appointment.flagged"],
        "description": "Front desk system",
    },
    request_only=True,
)
CREATED_EXAMPLE = OpenApiExample(
    "Created: the secret is shown once",
    value={
        "id": "0f8e7d1c-2b3a-4c5d-8e9f-0a1b2c3d4e5f",
        "url": "https://booking.example.com/sessionguard/events",
        "events": ["screening.completed", "appointment.flagged"],
        "description": "Front desk system",
        "active": True,
        "disabled_reason": "",
        "failing_since": None,
        "created_at": "2025-03-10T09:00:00Z",
        "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    },
    response_only=True,
)


def _deliveries(queryset: QuerySet) -> QuerySet:
    # Constant queries however long the page: one for deliveries with messages, one for attempts.
    return queryset.select_related("message").prefetch_related(
        Prefetch("attempts", queryset=WebhookAttempt.objects.order_by("attempted_at", "id"))
    )


@extend_schema_view(
    list=extend_schema(summary="List webhook endpoints", tags=["webhooks"]),
    create=extend_schema(
        summary="Add a webhook endpoint",
        description="The answer holds `secret` (whsec_…), shown only this once.",
        tags=["webhooks"],
        examples=[ENDPOINT_EXAMPLE, CREATED_EXAMPLE],
        responses={201: WebhookEndpointCreatedSerializer},
    ),
    retrieve=extend_schema(summary="Read a webhook endpoint", tags=["webhooks"]),
    partial_update=extend_schema(
        summary="Change a webhook endpoint",
        description="`active: true` turns a disabled endpoint back on and forgets its failures.",
        tags=["webhooks"],
    ),
    destroy=extend_schema(summary="Delete a webhook endpoint", tags=["webhooks"]),
)
class WebhookEndpointViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = WebhookEndpointSerializer
    pagination_class = CreatedCursorPagination
    lookup_value_regex = UUID_PATTERN
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no clinic
            return WebhookEndpoint.objects.none()
        return WebhookEndpoint.objects.filter(clinic=request_clinic(self.request))

    def get_serializer_class(self) -> type[serializers.Serializer]:
        if self.action == "create":
            return WebhookEndpointCreatedSerializer
        return super().get_serializer_class()

    def perform_create(self, serializer: serializers.Serializer) -> None:
        serializer.instance = outbound.endpoint_create(clinic=request_clinic(self.request), **serializer.validated_data)

    def perform_update(self, serializer: serializers.Serializer) -> None:
        serializer.instance = outbound.endpoint_update(endpoint=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance: WebhookEndpoint) -> None:
        outbound.endpoint_delete(endpoint=instance)

    @extend_schema(
        summary="Rotate the signing secret",
        description="Returns the new secret once; the old one keeps signing alongside it for 24 hours.",
        tags=["webhooks"],
        request=None,
        responses=RotatedSecretSerializer,
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret", url_name="rotate-secret")
    def rotate_secret(self, request: Request, pk: str | None = None) -> Response:
        endpoint = outbound.endpoint_rotate_secret(endpoint=self.get_object())
        return Response(RotatedSecretSerializer(endpoint).data)

    @extend_schema(
        summary="Messages sent to this endpoint, each with its attempts",
        tags=["webhooks"],
        responses=WebhookDeliverySerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def deliveries(self, request: Request, pk: str | None = None) -> Response:
        endpoint = self.get_object()
        page = self.paginate_queryset(_deliveries(WebhookDelivery.objects.filter(endpoint=endpoint)))
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)


@extend_schema_view(retrieve=extend_schema(summary="Read a webhook delivery", tags=["webhooks"]))
class WebhookDeliveryViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = WebhookDeliverySerializer
    lookup_value_regex = UUID_PATTERN

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no clinic
            return WebhookDelivery.objects.none()
        return _deliveries(WebhookDelivery.objects.filter(endpoint__clinic=request_clinic(self.request)))

    @extend_schema(
        summary="Send a message to its endpoint again",
        description="Same message, same webhook-id, a fresh retry schedule. 409 when the endpoint is disabled.",
        tags=["webhooks"],
        request=None,
        responses={202: WebhookDeliverySerializer},
    )
    @action(detail=True, methods=["post"])
    def redeliver(self, request: Request, pk: str | None = None) -> Response:
        delivery = outbound.delivery_redeliver(delivery=self.get_object())
        data = self.get_serializer(self.get_queryset().get(pk=delivery.pk)).data
        return Response(data, status=status.HTTP_202_ACCEPTED)
