"""Plain-data shapes of a screening and a flag, for what leaves without a request (webhook events).

The same shapes as the API's answers (a test holds them equal to the serializers' output), built
without Django REST framework so the booking integration needs nothing from the API package.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from service.audit import flag_events
from service.models import Flag, Screening

__all__ = ["flag_data", "iso_time", "screening_data"]

_REASON_KEYS = ("rule", "outcome", "client_message", "therapist_message")


def iso_time(value: dt.datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z, microseconds kept: as the API writes times."""
    if value is None:
        return None
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _reasons(reasons: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    return [{key: str(reason[key]) for key in _REASON_KEYS} for reason in reasons]


def _id(value: object) -> str | None:
    return None if value is None else str(value)


def screening_data(screening: Screening) -> dict[str, Any]:
    """A screening as the API answers it, without the client's answers."""
    return {
        "id": str(screening.pk),
        "appointment_id": _id(screening.appointment_id),
        "outcome": screening.outcome,
        "rule_set": {"name": screening.rule_set_name, "version": screening.rule_set_version},
        "reasons": _reasons(screening.reasons),
        "modifications": [str(text) for text in screening.modifications],
        "earliest_advised_start": iso_time(screening.earliest_advised_start),
        "suggested_therapists": [
            {"id": str(therapist["id"]), "name": str(therapist["name"])} for therapist in screening.suggested_therapists
        ],
        "emergency": screening.emergency,
        "created_at": iso_time(screening.created_at),
    }


def flag_data(flag: Flag) -> dict[str, Any]:
    """A flag as the API answers it, with its history."""
    events = flag_events(flag_ids=[flag.pk]).get(flag.pk, [])
    return {
        "id": str(flag.pk),
        "appointment_id": str(flag.appointment_id),
        "client_id": str(flag.client_id),
        "severity": flag.severity,
        "source": flag.source,
        "kind": flag.kind,
        "reasons": _reasons(flag.reasons),
        "status": flag.status,
        "created_at": iso_time(flag.created_at),
        "acknowledged_at": iso_time(flag.acknowledged_at),
        "resolved_at": iso_time(flag.resolved_at),
        "note": flag.note,
        "events": [
            {
                "action": event["action"],
                "actor": {
                    "type": event["actor"]["type"],
                    "id": _id(event["actor"]["id"]),
                    "name": str(event["actor"]["name"]),
                },
                "note": event["note"],
                "at": iso_time(event["at"]),
            }
            for event in events
        ],
    }
