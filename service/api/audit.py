"""GET /api/v1/audit-events: who did what, read-only, for the caller's clinic."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from service.api.auth import request_clinic
from service.api.fields import UUID_PATTERN
from service.api.flags import ActorSerializer
from service.api.pagination import AtCursorPagination
from service.audit import Actor
from service.models import AuditEvent


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = ["id", "at", "action", "actor", "object_type", "object_id", "note"]
        read_only_fields = fields

    @extend_schema_field(ActorSerializer)
    def get_actor(self, event: AuditEvent) -> dict[str, str | None]:
        return Actor(event.actor_type, event.actor_id, event.actor_name).as_dict()


class AuditEventFilter(django_filters.FilterSet):
    object_type = django_filters.CharFilter()
    object_id = django_filters.UUIDFilter()
    action = django_filters.CharFilter()
    since = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="gte")

    class Meta:
        model = AuditEvent
        fields = ["object_type", "object_id", "action", "since"]


@extend_schema_view(
    list=extend_schema(summary="List audit events, newest first", tags=["audit"]),
    retrieve=extend_schema(summary="Read an audit event", tags=["audit"]),
)
class AuditEventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = AuditEvent.objects.none()  # the schema's model; get_queryset scopes the real one
    serializer_class = AuditEventSerializer
    pagination_class = AtCursorPagination
    filterset_class = AuditEventFilter
    lookup_value_regex = UUID_PATTERN

    def get_queryset(self) -> QuerySet:
        return AuditEvent.objects.filter(clinic=request_clinic(self.request))
