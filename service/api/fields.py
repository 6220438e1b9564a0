"""Serializer fields shared by the API's resources."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

UUID_PATTERN = "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"
PLATFORM_KEY = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


class WordListField(serializers.ListField):
    """A list of distinct words from a fixed vocabulary."""

    def __init__(self, choices: tuple[str, ...], **kwargs: Any) -> None:
        kwargs.setdefault("child", serializers.ChoiceField(choices=choices))
        kwargs.setdefault("max_length", len(choices))
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> list[str]:
        values = super().to_internal_value(data)
        return list(dict.fromkeys(values))


@extend_schema_field({"type": "object", "additionalProperties": {"type": "string"}, "example": {"calcom": "12345"}})
class ExternalIdsField(serializers.DictField):
    """Platform name -> the person's id on that platform."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("child", serializers.CharField(max_length=255, allow_blank=True))
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> dict[str, str]:
        values = super().to_internal_value(data)
        bad = [key for key in values if not PLATFORM_KEY.match(key)]
        if bad:
            raise serializers.ValidationError(
                {key: ["Use a lower-case platform name (letters, digits, underscore)."] for key in bad}
            )
        return values

    def to_representation(self, value: Any) -> dict[str, str]:
        # `value` is the related manager of external refs, prefetched by the views.
        return {ref.platform: ref.external_id for ref in value.all()}


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 time that must carry its UTC offset: a naive time is hours off somewhere.

    A session is at most a year in the past (a booking system catching up) and five years ahead: a time
    outside that is a typo, and years 1 or 9999 would overflow the questionnaire schedule.
    """

    PAST = dt.timedelta(days=366)
    FUTURE = dt.timedelta(days=5 * 366)
    default_error_messages = {
        "naive": "Include a UTC offset, e.g. 2026-12-01T10:00:00+00:00.",
        "out_of_range": "Must be within a year before and five years after today.",
    }

    def to_internal_value(self, value: Any):
        if isinstance(value, str):
            from django.utils.dateparse import parse_datetime

            try:
                parsed = parse_datetime(value)
            except ValueError:
                parsed = None
            if parsed is not None and parsed.tzinfo is None:
                self.fail("naive")
        try:
            moment = super().to_internal_value(value)
        except OverflowError:
            self.fail("out_of_range")
        now = timezone.now()
        if not now - self.PAST <= moment <= now + self.FUTURE:
            self.fail("out_of_range")
        return moment
