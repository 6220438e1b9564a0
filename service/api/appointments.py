"""Appointments: book and screen in one call, list with filters, read, and the four actions."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from service import appointments as booking
from service.api.auth import request_clinic
from service.api.fields import UUID_PATTERN, AwareDateTimeField
from service.api.flags import FlagSerializer, with_flag_events
from service.api.idempotency import idempotent
from service.api.pagination import StartCursorPagination
from service.api.people import ClientSerializer, TherapistSerializer
from service.api.screenings import IDEMPOTENCY_HEADER, ScreeningRequestSerializer, ScreeningSerializer
from service.audit import actor_for_request
from service.models import Appointment, AppointmentStatus, Flag, FlagStatus, Invitation


class ExternalSerializer(serializers.Serializer):
    platform = serializers.RegexField(r"^[a-z][a-z0-9_]{0,31}$", max_length=32)
    id = serializers.CharField(max_length=255)


class PlatformHoldSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["pending", "cancelled", "failed", "unsupported"])
    error = serializers.CharField(allow_blank=True)


class ExternalStateSerializer(ExternalSerializer):
    reschedule_url = serializers.URLField(
        allow_blank=True, help_text="Where the client can move the booking on the platform, when it gives one."
    )
    hold = PlatformHoldSerializer(
        allow_null=True,
        help_text="The booking cancelled on the platform because it screened risky (the integration's on_hold).",
    )


class InvitationSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Invitation
        fields = ["kind", "scheduled_for", "sent_at", "completed_at", "status"]
        read_only_fields = fields


class AppointmentServiceSerializer(serializers.Serializer):
    name = serializers.CharField(source="service_name")
    pressure = serializers.CharField(source="service_pressure")
    duration_minutes = serializers.IntegerField()


class AppointmentListSerializer(serializers.ListSerializer):
    def to_representation(self, data: Any) -> list[dict[str, Any]]:
        appointments = list(data.all() if hasattr(data, "all") else data)
        # The flags are prefetched; their histories come in one query for the whole page.
        with_flag_events(self.context, [flag for appointment in appointments for flag in appointment.flags.all()])
        return super().to_representation(appointments)


class AppointmentSerializer(serializers.ModelSerializer):
    client = ClientSerializer()
    therapist = TherapistSerializer(allow_null=True)
    service = AppointmentServiceSerializer(source="*")
    screening = ScreeningSerializer(source="latest_screening", allow_null=True)
    flags = FlagSerializer(many=True)
    questionnaires = InvitationSummarySerializer(source="invitations", many=True)
    external = serializers.SerializerMethodField()

    class Meta:
        model = Appointment
        list_serializer_class = AppointmentListSerializer
        fields = [
            "id",
            "client",
            "therapist",
            "service",
            "start",
            "end",
            "status",
            "screening",
            "flags",
            "questionnaires",
            "external",
            "booked_against_advice",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(ExternalStateSerializer(allow_null=True))
    def get_external(self, obj: Appointment) -> dict[str, Any] | None:
        if not obj.external_id:
            return None
        hold = {"status": obj.platform_hold, "error": obj.platform_hold_error} if obj.platform_hold else None
        return {
            "platform": obj.external_platform,
            "id": obj.external_id,
            "reschedule_url": obj.external_reschedule_url,
            "hold": hold,
        }


class AppointmentRequestSerializer(ScreeningRequestSerializer):
    end = AwareDateTimeField()
    external = ExternalSerializer(required=False, allow_null=True)


class RescheduleSerializer(serializers.Serializer):
    start = AwareDateTimeField()
    end = AwareDateTimeField()

    def validate(self, attrs: dict) -> dict:
        if attrs["end"] <= attrs["start"]:
            raise serializers.ValidationError({"end": ["The end must come after the start."]})
        return attrs


class AppointmentFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=AppointmentStatus.choices)
    flagged = django_filters.BooleanFilter(method="filter_flagged", label="Has a flag that is not resolved")
    therapist_id = django_filters.UUIDFilter(field_name="therapist_id")
    client_id = django_filters.UUIDFilter(field_name="client_id")
    start_after = django_filters.IsoDateTimeFilter(field_name="start", lookup_expr="gte")
    start_before = django_filters.IsoDateTimeFilter(field_name="start", lookup_expr="lt")

    class Meta:
        model = Appointment
        fields = ["status", "flagged", "therapist_id", "client_id", "start_after", "start_before"]

    def filter_flagged(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        unresolved = Flag.objects.filter(appointment=OuterRef("pk")).exclude(status=FlagStatus.RESOLVED)
        return queryset.filter(Exists(unresolved)) if value else queryset.exclude(Exists(unresolved))


APPOINTMENT_EXAMPLE = OpenApiExample(
    "Book and screen",
    value={
        "client": {"name": "Alex Morgan", "email": "alex@example.com", "date_of_birth": "1980-04-02"},
        "service": {"name": "Remedial massage", "pressure": "medium", "duration_minutes": 60},
        "start": "2026-12-01T10:00:00+00:00",
        "end": "2026-12-01T11:00:00+00:00",
        "answers": {"has_sciatica": True, "leg_pain_now": 3},
        "external": {"platform": "calcom", "id": "bk_123"},
    },
    request_only=True,
)


@extend_schema_view(
    list=extend_schema(summary="List appointments", tags=["appointments"]),
    retrieve=extend_schema(summary="Read an appointment", tags=["appointments"]),
)
class AppointmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Appointment.objects.none()  # the schema's model; get_queryset scopes the real one
    serializer_class = AppointmentSerializer
    pagination_class = StartCursorPagination
    filterset_class = AppointmentFilter
    lookup_value_regex = UUID_PATTERN

    def get_queryset(self) -> QuerySet:
        return (
            Appointment.objects.filter(clinic=request_clinic(self.request))
            .select_related("client", "therapist", "latest_screening")
            .prefetch_related(
                "client__external_refs",
                "therapist__external_refs",
                Prefetch("flags", queryset=Flag.objects.order_by("created_at")),
                Prefetch("invitations", queryset=Invitation.objects.order_by("scheduled_for")),
            )
        )

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "clinic": request_clinic(self.request)}

    def _answer(self, appointment: Appointment, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=appointment.pk)
        return Response(AppointmentSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(
        summary="Book and screen in one call",
        tags=["appointments"],
        request=AppointmentRequestSerializer,
        responses={201: AppointmentSerializer},
        examples=[APPOINTMENT_EXAMPLE],
        parameters=[IDEMPOTENCY_HEADER],
    )
    @idempotent
    def create(self, request: Request) -> Response:
        body = AppointmentRequestSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        external = data.get("external") or {}
        appointment = booking.appointment_book(
            clinic=request_clinic(request),
            client=data["client"],
            therapist=data.get("therapist_id"),
            service=dict(data["service"]),
            start=data["start"],
            end=data["end"],
            answers=data["answers"],
            external_platform=external.get("platform", ""),
            external_id=external.get("id", ""),
        )
        return self._answer(appointment, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Move an appointment (screens again)",
        tags=["appointments"],
        request=RescheduleSerializer,
        responses=AppointmentSerializer,
    )
    @action(detail=True, methods=["post"])
    def reschedule(self, request: Request, pk: str | None = None) -> Response:
        appointment = self.get_object()
        body = RescheduleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        booking.appointment_reschedule(appointment=appointment, **body.validated_data)
        return self._answer(appointment)

    def _close(self, service) -> Response:
        appointment = self.get_object()
        service(appointment=appointment, actor=actor_for_request(self.request))
        return self._answer(appointment)

    @extend_schema(
        summary="Cancel an appointment", tags=["appointments"], request=None, responses=AppointmentSerializer
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        return self._close(booking.appointment_cancel)

    @extend_schema(
        summary="Mark an appointment completed", tags=["appointments"], request=None, responses=AppointmentSerializer
    )
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str | None = None) -> Response:
        return self._close(booking.appointment_complete)

    @extend_schema(
        summary="Mark an appointment as a no-show", tags=["appointments"], request=None, responses=AppointmentSerializer
    )
    @action(detail=True, methods=["post"], url_path="no-show")
    def no_show(self, request: Request, pk: str | None = None) -> Response:
        return self._close(booking.appointment_mark_no_show)
