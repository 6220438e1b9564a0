"""GET /api/v1/analytics/outcomes: how completed sessions went, grouped by the clinic's choices."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from service.api.auth import request_clinic
from service.models import OutcomeGroup
from service.outcomes import outcomes_by

DEFAULT_DAYS = 90
MAX_DAYS = 3660


class OutcomesQuerySerializer(serializers.Serializer):
    group_by = serializers.ChoiceField(
        choices=OutcomeGroup.values, help_text="therapist, pressure, modification or rule"
    )
    since = serializers.DateField(required=False, help_text="First session date (clinic's dates); default 90 days ago.")
    until = serializers.DateField(required=False, help_text="Last session date, included; default today.")

    def validate(self, attrs: dict) -> dict:
        today = timezone.localdate(timezone=self.context["clinic"].tz)
        attrs.setdefault("until", today)
        attrs.setdefault("since", attrs["until"] - dt.timedelta(days=DEFAULT_DAYS))
        if attrs["since"] > attrs["until"]:
            raise serializers.ValidationError({"since": ["`since` must not be after `until`."]})
        if (attrs["until"] - attrs["since"]).days > MAX_DAYS:
            raise serializers.ValidationError({"since": [f"Ask for at most {MAX_DAYS} days at a time."]})
        return attrs


class OutcomeRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The therapist's id, the pressure, the modification or the rule.")
    label = serializers.CharField()
    sessions = serializers.IntegerField(help_text="Completed sessions in the range.")
    followups_answered = serializers.IntegerField()
    aggravated = serializers.IntegerField()
    aggravation_rate = serializers.FloatField(allow_null=True, help_text="aggravated / followups_answered")
    improved = serializers.IntegerField()
    improved_rate = serializers.FloatField(allow_null=True, help_text="improved / followups_answered")


class OutcomesView(APIView):
    @extend_schema(
        summary="How completed sessions went, by therapist, pressure, modification or rule",
        tags=["analytics"],
        parameters=[OutcomesQuerySerializer],
        responses=OutcomeRowSerializer(many=True),
        description=(
            "Over completed sessions in the range: how many were followed up, aggravated (the follow-up's"
            " aggravation finding) and improved (leg or back pain down by 2 points or 30% from the"
            " pre-session answer, by the clinic's pain-change settings, or better or much better overall)."
            " Rates are null when no follow-up was answered. A session counts once in each of its"
            " modifications and rules. Exact counts: this is the clinic's own data."
        ),
    )
    def get(self, request: Request) -> Response:
        clinic = request_clinic(request)
        query = OutcomesQuerySerializer(data=request.query_params, context={"clinic": clinic})
        query.is_valid(raise_exception=True)
        rows = outcomes_by(clinic=clinic, group=query.validated_data["group_by"], since=query.validated_data["since"],
                           until=query.validated_data["until"])  # fmt: skip
        return Response(OutcomeRowSerializer([row.as_dict() for row in rows], many=True).data)
