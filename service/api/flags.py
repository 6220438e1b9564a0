"""Flags: list, read, acknowledge and resolve (both take a note)."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from service.api.auth import request_clinic
from service.api.fields import UUID_PATTERN
from service.api.pagination import CreatedCursorPagination
from service.api.screenings import ReasonSerializer
from service.flags import flag_acknowledge, flag_resolve
from service.models import Flag, FlagSeverity, FlagSource, FlagStatus


class FlagSerializer(serializers.ModelSerializer):
    appointment_id = serializers.UUIDField()
    client_id = serializers.UUIDField()
    severity = serializers.ChoiceField(choices=FlagSeverity.values)
    source = serializers.ChoiceField(choices=FlagSource.values)
    status = serializers.ChoiceField(choices=FlagStatus.values)
    reasons = ReasonSerializer(many=True)

    class Meta:
        model = Flag
        fields = [
            "id",
            "appointment_id",
            "client_id",
            "severity",
            "source",
            "kind",
            "reasons",
            "status",
            "created_at",
            "acknowledged_at",
            "resolved_at",
            "note",
        ]
        read_only_fields = fields


class FlagNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class FlagFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=FlagStatus.choices)
    severity = django_filters.ChoiceFilter(choices=FlagSeverity.choices)
    therapist_id = django_filters.UUIDFilter(field_name="appointment__therapist_id")
    appointment_id = django_filters.UUIDFilter(field_name="appointment_id")

    class Meta:
        model = Flag
        fields = ["status", "severity", "therapist_id", "appointment_id"]


@extend_schema_view(
    list=extend_schema(summary="List flags", tags=["flags"]),
    retrieve=extend_schema(summary="Read a flag", tags=["flags"]),
)
class FlagViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Flag.objects.none()  # the schema's model; get_queryset scopes the real one
    serializer_class = FlagSerializer
    pagination_class = CreatedCursorPagination
    filterset_class = FlagFilter
    lookup_value_regex = UUID_PATTERN

    def get_queryset(self) -> QuerySet:
        return Flag.objects.filter(clinic=request_clinic(self.request))

    def _change(self, request: Request, service) -> Response:
        flag = self.get_object()
        body = FlagNoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        flag = service(flag=flag, note=body.validated_data["note"])
        return Response(FlagSerializer(flag).data)

    @extend_schema(summary="Acknowledge a flag", tags=["flags"], request=FlagNoteSerializer, responses=FlagSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        return self._change(request, flag_acknowledge)

    @extend_schema(summary="Resolve a flag", tags=["flags"], request=FlagNoteSerializer, responses=FlagSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str | None = None) -> Response:
        return self._change(request, flag_resolve)
