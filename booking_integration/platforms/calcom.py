"""Cal.com booking webhooks: hex HMAC-SHA256 of the raw body in X-Cal-Signature-256.

Unconfirmed: the attendee phone field (`phoneNumber` on the attendee, or the
`attendeePhoneNumber` booking-form response), `additionalNotes` for the client's notes, and
`eventTypeId` being present on every trigger.
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
    body_hash,
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

SIGNATURE_HEADER = "X-Cal-Signature-256"
# What Cal.com sends when the webhook has no secret: anyone could send it, so it is refused.
NO_SECRET_VALUE = "no-secret-provided"  # noqa: S105 (a marker Cal.com sends, not a secret)

ACTIONS: dict[str, Action] = {
    "BOOKING_CREATED": "booked",
    "BOOKING_RESCHEDULED": "rescheduled",
    "BOOKING_CANCELLED": "cancelled",
    "MEETING_ENDED": "completed",
    "BOOKING_NO_SHOW_UPDATED": "no_show",
}
DEFAULT_API_BASE_URL = "https://api.cal.com"
DEFAULT_BOOKER_URL = "https://app.cal.com"
API_VERSION = "2024-08-13"


class CalCom(Platform):
    name = "calcom"
    stored_headers = (SIGNATURE_HEADER, "Content-Type", "User-Agent")
    can_cancel = True
    default_api_base_url = DEFAULT_API_BASE_URL

    def cancel_booking(self, *, booking_id: str, reason: str, settings: Mapping[str, Any], http: Any) -> None:
        # API v2: POST /v2/bookings/{uid}/cancel with a bearer API key and the version header.
        self.api_call(
            settings, http, "POST", f"/v2/bookings/{quote(booking_id, safe='')}/cancel", what="Cal.com bookings API",
            headers={**bearer(settings), "cal-api-version": API_VERSION}, json={"cancellationReason": reason},
        )  # fmt: skip

    def verify(
        self,
        *,
        body: bytes,
        headers: Mapping[str, str],
        secret: str,
        settings: Mapping[str, Any],
        now: datetime,
    ) -> None:
        given = required_header(headers, SIGNATURE_HEADER)
        if given == NO_SECRET_VALUE:
            raise SignatureInvalid("Cal.com webhook has no secret set")
        required_secret(secret)
        expected = hmac_sha256(secret, body).hex()
        if not signatures_match(expected, given.lower()):
            raise SignatureInvalid("signature does not match")

    def parse(
        self,
        *,
        body: bytes,
        headers: Mapping[str, str],
        content_type: str,
        default_tz: tzinfo | None = None,
    ) -> ParsedDelivery:
        if "x-www-form-urlencoded" in content_type.lower() or not body.lstrip().startswith(b"{"):
            raise PayloadMalformed(
                "Cal.com sent a body that is not JSON: the webhook's payload template must stay JSON"
            )
        data = load_json_object(body)
        trigger = data.get("triggerEvent")
        if not isinstance(trigger, str) or not trigger:
            raise PayloadMalformed("`triggerEvent` is missing")
        payload = data.get("payload")
        # BOOKING_NO_SHOW_UPDATED names the booking `bookingUid`; the others `uid`.
        uid = (optional_id(payload, "uid") or optional_id(payload, "bookingUid")) if isinstance(payload, dict) else None
        dedupe_key = f"{uid or ''}|{trigger}|{body_hash(body)}"

        action = ACTIONS.get(trigger)
        if action is None:
            return ParsedDelivery(
                event_type=trigger,
                dedupe_key=dedupe_key,
                ignored_reason=f"Cal.com {trigger} is not a booking change we act on",
            )
        payload = get_object(data, "payload")
        if action == "no_show":
            return self._no_show(trigger, dedupe_key, payload)
        booking_id = get_id(payload, "uid", "payload.")
        previous = None
        if action == "rescheduled":
            previous = get_id(payload, "rescheduleUid", "payload.")
        booker_url = text(payload, "bookerUrl") or DEFAULT_BOOKER_URL

        change = BookingChange(
            action=action,
            booking_id=booking_id,
            previous_booking_id=previous,
            start=optional_datetime(payload, "startTime", "payload."),
            end=optional_datetime(payload, "endTime", "payload."),
            client=_client(payload),
            staff=_staff(payload),
            service_name=text(payload, "type"),
            service_id=optional_id(payload, "eventTypeId") or "",
            form_answers=_answers(payload),
            notes=text(payload, "cancellationReason") if action == "cancelled" else text(payload, "additionalNotes"),
            reschedule_url=f"{booker_url.rstrip('/')}/reschedule/{quote(booking_id, safe='')}",
        )
        return ParsedDelivery(event_type=trigger, dedupe_key=dedupe_key, changes=(change,))

    @staticmethod
    def _no_show(trigger: str, dedupe_key: str, payload: Mapping[str, Any]) -> ParsedDelivery:
        """A host marked attendees as no-show (or took the mark back, which we leave to the clinic)."""
        booking_id = optional_id(payload, "bookingUid") or get_id(payload, "uid", "payload.")
        attendees = payload.get("attendees")
        marked = isinstance(attendees, list) and any(isinstance(a, dict) and a.get("noShow") is True for a in attendees)
        if not marked:
            return ParsedDelivery(
                event_type=trigger, dedupe_key=dedupe_key, ignored_reason="no attendee is marked as a no-show"
            )
        change = BookingChange(action="no_show", booking_id=booking_id)
        return ParsedDelivery(event_type=trigger, dedupe_key=dedupe_key, changes=(change,))


def _client(payload: Mapping[str, Any]) -> Person | None:
    attendees = payload.get("attendees")
    if not isinstance(attendees, list) or not attendees or not isinstance(attendees[0], dict):
        return None
    first = attendees[0]
    phone = text(first, "phoneNumber")
    if not phone:
        responses = payload.get("responses")
        if isinstance(responses, dict) and isinstance(responses.get("attendeePhoneNumber"), dict):
            phone = text(responses["attendeePhoneNumber"], "value")
    return Person(external_id=None, name=text(first, "name"), email=text(first, "email"), phone=phone)


def _staff(payload: Mapping[str, Any]) -> Person | None:
    organizer = payload.get("organizer")
    if not isinstance(organizer, dict):
        return None
    return Person(
        external_id=optional_id(organizer, "id"),
        name=text(organizer, "name"),
        email=text(organizer, "email"),
        phone="",
    )


def _answers(payload: Mapping[str, Any]) -> dict[str, object]:
    responses = payload.get("responses")
    answers: dict[str, object] = {}
    if not isinstance(responses, dict):
        return answers
    for field_name, response in responses.items():
        if isinstance(response, dict):
            value = response.get("value")
            label = response.get("label")
        else:
            # Older payloads send the bare value.
            value, label = response, None
        answers[field_name] = value
        if isinstance(label, str) and label:
            answers[label] = value
    return answers
