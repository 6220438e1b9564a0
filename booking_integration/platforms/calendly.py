"""Calendly invitee webhooks: `Calendly-Webhook-Signature: t=<unix>,v1=<hex>` over `t.body`.

A reschedule arrives as `invitee.canceled` with `rescheduled: true` (ignored here) and an
`invitee.created` carrying `old_invitee` (the move). Unconfirmed: `scheduled_event.event_type`
as the service id, `user_name` on event memberships, and `cancellation.reason` for notes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import Any
from urllib.parse import quote

from booking_integration.platforms.base import (
    Action,
    BookingChange,
    ParsedDelivery,
    PayloadMalformed,
    Person,
    Platform,
    SignatureInvalid,
    bearer,
    check_unix_timestamp,
    get_id,
    get_object,
    hmac_sha256,
    load_json_object,
    optional_datetime,
    optional_id,
    required_header,
    required_secret,
    signatures_match,
    text,
)
from service.http_client import HttpError

SIGNATURE_HEADER = "Calendly-Webhook-Signature"
DEFAULT_API_BASE_URL = "https://api.calendly.com"


def scheduled_event_uuid(invitee_uri: str) -> str:
    """`…/scheduled_events/<uuid>/invitees/<uuid>` → the scheduled event's uuid."""
    parts = invitee_uri.rstrip("/").split("/")
    if "scheduled_events" not in parts or parts.index("scheduled_events") + 1 >= len(parts):
        raise HttpError("the booking id is not a Calendly invitee URI", permanent=True)
    return parts[parts.index("scheduled_events") + 1]


class Calendly(Platform):
    name = "calendly"
    stored_headers = (SIGNATURE_HEADER, "Content-Type", "User-Agent")
    can_cancel = True
    default_api_base_url = DEFAULT_API_BASE_URL

    def cancel_booking(self, *, booking_id: str, reason: str, settings: Mapping[str, Any], http: Any) -> None:
        # POST /scheduled_events/{uuid}/cancellation with a personal access token (or OAuth token).
        path = f"/scheduled_events/{quote(scheduled_event_uuid(booking_id), safe='')}/cancellation"
        self.api_call(settings, http, "POST", path, what="Calendly scheduled events API", headers=bearer(settings),
                      json={"reason": reason})  # fmt: skip

    def verify(
        self,
        *,
        body: bytes,
        headers: Mapping[str, str],
        secret: str,
        settings: Mapping[str, Any],
        now: datetime,
    ) -> None:
        raw = required_header(headers, SIGNATURE_HEADER)
        required_secret(secret)
        timestamp = None
        candidates: list[str] = []
        for part in raw.split(","):
            key, _, value = part.strip().partition("=")
            if key == "t":
                timestamp = value
            elif key == "v1":
                candidates.append(value.strip().lower())
        if not timestamp or not timestamp.isdigit() or not candidates:
            raise SignatureInvalid("malformed signature header")
        check_unix_timestamp(timestamp, now)
        expected = hmac_sha256(secret, timestamp.encode() + b"." + body).hex()
        # Every candidate is compared so the time taken does not depend on which one matched.
        matches = [signatures_match(expected, candidate) for candidate in candidates]
        if not any(matches):
            raise SignatureInvalid("signature does not match")

    def parse(
        self,
        *,
        body: bytes,
        headers: Mapping[str, str],
        content_type: str,
        default_tz: tzinfo | None = None,
    ) -> ParsedDelivery:
        data = load_json_object(body)
        event = data.get("event")
        if not isinstance(event, str) or not event:
            raise PayloadMalformed("`event` is missing")
        payload = get_object(data, "payload")
        invitee_uri = optional_id(payload, "uri")
        dedupe_key = f"{invitee_uri or ''}|{event}"

        if event == "invitee_no_show.created":
            # The payload is the no-show mark; `invitee` is the invitee it marks.
            booking_id = optional_id(payload, "invitee") or get_id(payload, "uri", "payload.")
            change = BookingChange(action="no_show", booking_id=booking_id)
            return ParsedDelivery(event_type=event, dedupe_key=f"{booking_id}|{event}", changes=(change,))
        if event not in ("invitee.created", "invitee.canceled"):
            return ParsedDelivery(
                event_type=event,
                dedupe_key=dedupe_key,
                ignored_reason=f"Calendly {event} is not a booking change we act on",
            )
        if event == "invitee.canceled" and payload.get("rescheduled") is True:
            # Cancelling here would also cancel the questionnaires; the matching
            # invitee.created (with old_invitee) moves the appointment instead.
            return ParsedDelivery(
                event_type=event,
                dedupe_key=dedupe_key,
                ignored_reason="cancellation that is half of a reschedule; invitee.created moves it",
            )

        booking_id = get_id(payload, "uri", "payload.")
        scheduled = get_object(payload, "scheduled_event", "payload.")
        previous = optional_id(payload, "old_invitee") if event == "invitee.created" else None
        action: Action
        if event == "invitee.canceled":
            action = "cancelled"
        elif previous:
            action = "rescheduled"
        else:
            action = "booked"

        notes = ""
        cancellation = payload.get("cancellation")
        if action == "cancelled" and isinstance(cancellation, dict):
            notes = text(cancellation, "reason")

        change = BookingChange(
            action=action,
            booking_id=booking_id,
            previous_booking_id=previous,
            start=optional_datetime(scheduled, "start_time", "payload.scheduled_event."),
            end=optional_datetime(scheduled, "end_time", "payload.scheduled_event."),
            client=Person(
                external_id=None,
                name=text(payload, "name"),
                email=text(payload, "email"),
                phone=text(payload, "text_reminder_number"),
            ),
            staff=_staff(scheduled),
            service_name=text(scheduled, "name"),
            service_id=optional_id(scheduled, "event_type") or "",
            form_answers=_answers(payload),
            notes=notes,
            reschedule_url=text(payload, "reschedule_url"),
        )
        return ParsedDelivery(event_type=event, dedupe_key=dedupe_key, changes=(change,))


def _staff(scheduled: Mapping[str, Any]) -> Person | None:
    memberships = scheduled.get("event_memberships")
    if not isinstance(memberships, list) or not memberships or not isinstance(memberships[0], dict):
        return None
    host = memberships[0]
    return Person(
        external_id=optional_id(host, "user"),
        name=text(host, "user_name"),
        email=text(host, "user_email"),
        phone="",
    )


def _answers(payload: Mapping[str, Any]) -> dict[str, object]:
    # Calendly questions have no field id, so the question text is the only key.
    answers: dict[str, object] = {}
    items = payload.get("questions_and_answers")
    if not isinstance(items, list):
        return answers
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("question"), str):
            answers[item["question"]] = item.get("answer")
    return answers
