"""Serializers and views for therapists and clients."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from service import people
from service.api.auth import request_clinic
from service.api.errors import Conflict
from service.api.fields import UUID_PATTERN, ExternalIdsField, WordListField
from service.api.pagination import CreatedCursorPagination
from service.audit import actor_for_request
from service.models import Client, ClientExternalId, Therapist, TherapistExternalId
from service.models.people import ALERT_CHANNELS, CONTACT_CHANNELS, QUALIFICATIONS
from service.outcomes import client_timeline
from service.privacy import client_erase, client_export


class _PersonSerializer(serializers.ModelSerializer):
    phone = PhoneNumberField(required=False, allow_blank=True)
    external_ids = ExternalIdsField(source="external_refs", required=False)

    ref_model: type = TherapistExternalId
    owner_field = "therapist"
    channels_field = "alert_channels"

    def validate_external_ids(self, value: dict[str, str]) -> dict[str, str]:
        clinic = self.context["clinic"]
        taken = {}
        for platform, external_id in value.items():
            if not external_id:
                continue
            clash = self.ref_model.objects.filter(clinic=clinic, platform=platform, external_id=external_id)
            if self.instance is not None:
                clash = clash.exclude(**{self.owner_field: self.instance})
            if clash.exists():
                taken[platform] = [f"Another {self.owner_field} of this clinic already has this {platform} id."]
        if taken:
            raise serializers.ValidationError(taken)
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        channels = attrs.get(self.channels_field)
        if channels is None:
            return attrs
        email = attrs.get("email", getattr(self.instance, "email", ""))
        phone = attrs.get("phone", getattr(self.instance, "phone", ""))
        errors = {}
        if "email" in channels and not email:
            errors[self.channels_field] = ["The email channel needs an email address."]
        if "sms" in channels and not phone:
            errors[self.channels_field] = ["The sms channel needs a phone number."]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["phone"] = str(instance.phone) if instance.phone else ""
        return data


class TherapistSerializer(_PersonSerializer):
    qualifications = WordListField(QUALIFICATIONS, required=False)
    alert_channels = WordListField(ALERT_CHANNELS, required=False)

    class Meta:
        model = Therapist
        fields = ["id", "name", "email", "phone", "qualifications", "alert_channels", "external_ids", "active"]
        read_only_fields = ["id"]


class ClientSerializer(_PersonSerializer):
    contact_channels = WordListField(CONTACT_CHANNELS, required=False)
    erased = serializers.SerializerMethodField(
        help_text="True once the client's data was erased; nothing else is left."
    )
    ref_model = ClientExternalId
    owner_field = "client"
    channels_field = "contact_channels"

    class Meta:
        model = Client
        fields = [
            "id",
            "name",
            "email",
            "phone",
            "date_of_birth",
            "contact_channels",
            "language",
            "external_ids",
            "active",
            "erased",
        ]
        read_only_fields = ["id"]

    def get_erased(self, client: Client) -> bool:
        return client.erased_at is not None

    def to_representation(self, instance: Client) -> dict[str, Any]:
        if instance.erased_at is not None:
            return {"id": str(instance.pk), "erased": True}
        return super().to_representation(instance)


class InvitationSentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    sent_to = serializers.EmailField()


class ErasureSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    erased = serializers.BooleanField()
    removed = serializers.DictField(
        child=serializers.IntegerField(), help_text="What was removed or cancelled, with how many rows each."
    )


THERAPIST_EXAMPLE = OpenApiExample(
    "A therapist qualified for sciatica",
    value={
        "name": "Sam Rivers",
        "email": "sam@clinic.example",
        "phone": "+447911123456",
        "qualifications": ["sciatica"],
        "alert_channels": ["email", "sms"],
        "external_ids": {"calcom": "42"},
    },
    request_only=True,
)
CLIENT_EXAMPLE = OpenApiExample(
    "A client who agreed to email",
    value={
        "name": "Alex Morgan",
        "email": "alex@example.com",
        "phone": "+447911123999",
        "date_of_birth": "1980-04-02",
        "contact_channels": ["email"],
    },
    request_only=True,
)


class _PersonViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = UUID_PATTERN
    pagination_class = CreatedCursorPagination
    model: type = Therapist
    create_service = staticmethod(people.therapist_create)
    update_service = staticmethod(people.therapist_update)
    owner_kwarg = "therapist"

    def get_queryset(self) -> QuerySet:
        queryset = self.model.objects.filter(clinic=request_clinic(self.request)).prefetch_related("external_refs")
        active = self.request.query_params.get("active")
        if active in ("true", "false"):
            queryset = queryset.filter(active=active == "true")
        return queryset

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if getattr(self.request, "auth", None) is not None:
            context["clinic"] = request_clinic(self.request)
        return context

    def perform_create(self, serializer: serializers.Serializer) -> None:
        data = dict(serializer.validated_data)
        external_ids = data.pop("external_refs", None)
        serializer.instance = self.create_service(
            clinic=request_clinic(self.request), external_ids=external_ids, **data
        )

    def perform_update(self, serializer: serializers.Serializer) -> None:
        data = dict(serializer.validated_data)
        external_ids = data.pop("external_refs", None)
        serializer.instance = self.update_service(
            **{self.owner_kwarg: serializer.instance}, external_ids=external_ids, **data
        )

    def _deactivate(self, request: Request) -> Response:
        obj = self.get_object()
        self.update_service(**{self.owner_kwarg: obj}, active=False)
        return Response(self.get_serializer(obj).data, status=status.HTTP_200_OK)


@extend_schema_view(
    list=extend_schema(summary="List therapists", tags=["therapists"]),
    create=extend_schema(summary="Add a therapist", tags=["therapists"], examples=[THERAPIST_EXAMPLE]),
    retrieve=extend_schema(summary="Read a therapist", tags=["therapists"]),
    partial_update=extend_schema(summary="Change a therapist", tags=["therapists"]),
)
class TherapistViewSet(_PersonViewSet):
    queryset = Therapist.objects.none()  # the schema's model; get_queryset scopes the real one
    serializer_class = TherapistSerializer
    model = Therapist

    @extend_schema(summary="Deactivate a therapist (kept, no longer offered)", tags=["therapists"], request=None)
    @action(detail=True, methods=["post"])
    def deactivate(self, request: Request, pk: str | None = None) -> Response:
        return self._deactivate(request)

    @extend_schema(
        summary="Invite a therapist to sign in",
        description="Emails a one-time link (valid 72 hours) to set a password for the therapist pages. 409 when "
        "the therapist has no email address, is deactivated, or the address already signs in elsewhere.",
        tags=["therapists"],
        request=None,
        responses={202: InvitationSentSerializer},
    )
    @action(detail=True, methods=["post"])
    def invite(self, request: Request, pk: str | None = None) -> Response:
        therapist = self.get_object()
        people.therapist_invite(therapist=therapist, actor=actor_for_request(request))
        return Response({"id": str(therapist.pk), "sent_to": therapist.email}, status=status.HTTP_202_ACCEPTED)


class TimelineEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    appointment_id = serializers.UUIDField()
    source = serializers.ChoiceField(choices=["booking", "pre_session", "post_session", "outcome_check"])
    leg_pain = serializers.IntegerField(allow_null=True, min_value=0, max_value=10)
    back_pain = serializers.IntegerField(allow_null=True, min_value=0, max_value=10)
    peg = serializers.FloatField(allow_null=True, help_text="The PEG score: the mean of its three 0-10 items.")
    overall_change = serializers.CharField(allow_null=True, help_text="much_better … same … much_worse")
    flagged = serializers.BooleanField(help_text="This answer raised a warning or critical flag.")


@extend_schema_view(
    list=extend_schema(summary="List clients", tags=["clients"]),
    create=extend_schema(summary="Add a client", tags=["clients"], examples=[CLIENT_EXAMPLE]),
    retrieve=extend_schema(summary="Read a client", tags=["clients"]),
    partial_update=extend_schema(summary="Change a client", tags=["clients"]),
)
class ClientViewSet(_PersonViewSet):
    queryset = Client.objects.none()  # the schema's model; get_queryset scopes the real one
    serializer_class = ClientSerializer
    model = Client
    create_service = staticmethod(people.client_create)
    update_service = staticmethod(people.client_update)
    owner_kwarg = "client"

    @extend_schema(summary="Deactivate a client (kept, no longer contacted)", tags=["clients"], request=None)
    @action(detail=True, methods=["post"])
    def deactivate(self, request: Request, pk: str | None = None) -> Response:
        return self._deactivate(request)

    def perform_update(self, serializer: serializers.Serializer) -> None:
        if serializer.instance.erased_at is not None:
            raise Conflict("This client's data was erased; there is nothing left to change.")
        super().perform_update(serializer)

    @extend_schema(
        summary="Export everything stored about a client",
        tags=["clients"],
        responses={200: OpenApiTypes.OBJECT},
        description="Profile, appointments, screenings with answers, questionnaires, and flags with their events.",
    )
    @action(detail=True, methods=["get"])
    def export(self, request: Request, pk: str | None = None) -> Response:
        return Response(client_export(client=self.get_object(), actor=actor_for_request(request)))

    @extend_schema(
        summary="Every pain report of a client, oldest first",
        tags=["clients"],
        responses=TimelineEntrySerializer(many=True),
        description="At booking, before and after each session, and at the outcome check, with the PEG score.",
    )
    @action(detail=True, methods=["get"])
    def timeline(self, request: Request, pk: str | None = None) -> Response:
        entries = client_timeline(client=self.get_object())
        return Response(TimelineEntrySerializer([e.as_dict() for e in entries], many=True).data)

    @extend_schema(summary="Erase a client's personal data and answers for good", tags=["clients"], request=None,
                   responses=ErasureSerializer)  # fmt: skip
    @action(detail=True, methods=["post"])
    def erase(self, request: Request, pk: str | None = None) -> Response:
        client = self.get_object()
        removed = client_erase(client=client, actor=actor_for_request(request))
        return Response({"id": str(client.pk), "erased": True, "removed": removed})
