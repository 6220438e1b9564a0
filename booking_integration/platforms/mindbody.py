"""Mindbody appointment webhooks: `X-Mindbody-Signature: sha256=<base64>` HMAC of the raw body.

Unconfirmed: whether `startDateTime`/`endDateTime` carry a UTC offset (times without one are
read in the clinic's time zone, passed as `default_tz`), and the `status` words of an
`appointmentBooking.updated` (NoShow, Completed, Cancelled, LateCancelled are read as such; anything
else as a possible move). Its public API has no call that cancels an appointment for the business
(can_cancel is False): a risky booking is flagged, and the clinic cancels it in Mindbody.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from datetime import datetime, timedelta, tzinfo
from typing import Any

from booking_integration.platforms.base import (
    Action,
    BookingChange,
    ParsedDelivery,
    PayloadMalformed,
    Person,
    Platform,
    SignatureInvalid,
    full_name,
    get_id,
    get_object,
    hmac_sha256,
    int_or_none,
    load_json_object,
    optional_datetime,
    optional_id,
    required_header,
    required_secret,
    signatures_match,
    text,
)

SIGNATURE_HEADER = "X-Mindbody-Signature"

EVENT_ACTIONS: dict[str, Action] = {
    "appointmentBooking.created": "booked",
    # An update may move the booking or change something else; a move to the same time is harmless.
    "appointmentBooking.updated": "rescheduled",
    "appointmentBooking.cancelled": "cancelled",
}
STATUS_ACTIONS: dict[str, Action] = {
    "noshow": "no_show",
    "completed": "completed",
    "cancelled": "cancelled",
    "latecancelled": "cancelled",
}


class Mindbody(Platform):
    name = "mindbody"
    stored_headers = (SIGNATURE_HEADER, "Content-Type", "User-Agent")

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
        required_secret(secret)
        scheme, _, encoded = given.partition("=")
        if scheme.lower() != "sha256" or not encoded:
            raise SignatureInvalid("signature header must be sha256=<base64>")
        try:
            given_bytes = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise SignatureInvalid("signature is not base64") from exc
        if not signatures_match(hmac_sha256(secret, body), given_bytes):
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
        event_id = data.get("eventId")
        if not isinstance(event_id, str) or not event_id:
            raise PayloadMalformed("`eventId` is missing")
        dedupe_key = get_id(data, "messageId")
        action = EVENT_ACTIONS.get(event_id)
        if action is None:
            return ParsedDelivery(
                event_type=event_id,
                dedupe_key=dedupe_key,
                ignored_reason=f"Mindbody {event_id} is not a booking change we act on",
            )
        event = get_object(data, "eventData")
        where = "eventData."
        if action == "rescheduled":
            action = STATUS_ACTIONS.get(text(event, "status").lower(), action)

        start = optional_datetime(event, "startDateTime", where, default_tz)
        end = optional_datetime(event, "endDateTime", where, default_tz)
        duration = int_or_none(event.get("durationMinutes"))
        if end is None and start is not None and duration is not None:
            end = start + timedelta(minutes=duration)
        staff_id = optional_id(event, "staffId")

        change = BookingChange(
            action=action,
            booking_id=get_id(event, "appointmentId", where),
            start=start,
            end=end,
            client=Person(
                external_id=optional_id(event, "clientId"),
                name=full_name(text(event, "clientFirstName"), text(event, "clientLastName")),
                email=text(event, "clientEmail"),
                phone=text(event, "clientPhone"),
            ),
            staff=Person(
                external_id=staff_id,
                name=full_name(text(event, "staffFirstName"), text(event, "staffLastName")),
                email="",
                phone="",
            )
            if staff_id
            else None,
            service_name=text(event, "appointmentName"),
            service_id=optional_id(event, "sessionTypeId") or "",
            notes=text(event, "notes"),
        )
        return ParsedDelivery(event_type=event_id, dedupe_key=dedupe_key, changes=(change,))
