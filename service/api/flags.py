"""Flags: list, read, acknowledge and resolve (both take a note)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from service.api.auth import request_clinic
from service.api.fields import UUID_PATTERN
from service.api.pagination import CreatedCursorPagination
from service.api.screenings import ReasonSerializer
from service.audit import actor_for_request, flag_events
from service.flags import flag_acknowledge, flag_resolve
from service.models import Flag, FlagSeverity, FlagSource, FlagStatus


class ActorSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["user", "api_key", "system"])
    id = serializers.CharField(allow_null=True)
    name = serializers.CharField()


class FlagEventSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["raised", "alerted", "escalated", "acknowledged", "resolved"])
    actor = ActorSerializer()
    note = serializers.CharField(allow_blank=True)
    at = serializers.DateTimeField()


def with_flag_events(context: dict[str, Any], flags: Iterable[Flag]) -> dict[Any, list[dict[str, Any]]]:
    """Every flag's history read once per answer: nested serializers share the root's context."""
    known = context.setdefault("flag_events", {})
    missing = [flag.pk for flag in flags if flag.pk not in known]
    if missing:
        known.update(dict.fromkeys(missing, ()))
        known.update(flag_events(flag_ids=missing))
    return known


class FlagListSerializer(serializers.ListSerializer):
    def to_representation(self, data: Any) -> list[dict[str, Any]]:
        flags = list(data.all() if hasattr(data, "all") else data)
        with_flag_events(self.context, flags)
        return super().to_representation(flags)


class FlagSerializer(serializers.ModelSerializer):
    appointment_id = serializers.UUIDField()
    client_id = serializers.UUIDField()
    severity = serializers.ChoiceField(choices=FlagSeverity.values)
    source = serializers.ChoiceField(choices=FlagSource.values)
    status = serializers.ChoiceField(choices=FlagStatus.values)
    reasons = ReasonSerializer(many=True)
    events = serializers.SerializerMethodField()

    class Meta:
        model = Flag
        list_serializer_class = FlagListSerializer
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
            "events",
        ]
        read_only_fields = fields

    @extend_schema_field(FlagEventSerializer(many=True))
    def get_events(self, flag: Flag) -> list[dict[str, Any]]:
        events = with_flag_events(self.context, [flag])[flag.pk]
        return FlagEventSerializer(events, many=True).data


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
        flag = service(flag=flag, note=body.validated_data["note"], actor=actor_for_request(request))
        return Response(FlagSerializer(flag).data)

    @extend_schema(summary="Acknowledge a flag", tags=["flags"], request=FlagNoteSerializer, responses=FlagSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        return self._change(request, flag_acknowledge)

    @extend_schema(summary="Resolve a flag", tags=["flags"], request=FlagNoteSerializer, responses=FlagSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str | None = None) -> Response:
        return self._change(request, flag_resolve)
