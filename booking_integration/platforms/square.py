"""Square Appointments webhooks: base64 HMAC-SHA256 of notification URL + body; customers fetched.

Every booking.updated is emitted as "booked" unless its status cancels it or marks a no-show:
the service layer decides whether it is a move by comparing with what is stored, and ignores an
older `version`. Unconfirmed: the customer API's `given_name`, `family_name`, `email_address`,
`phone_number` fields; the service name is not in the webhook (only `service_variation_id`).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
from collections.abc import Mapping
from datetime import datetime, timedelta, tzinfo
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
    full_name,
    get_id,
    get_object,
    hmac_sha256,
    int_or_none,
    json_from_result,
    load_json_object,
    optional_datetime,
    optional_id,
    raise_for_status,
    required_header,
    required_secret,
    signatures_match,
    text,
)

SIGNATURE_HEADER = "x-square-hmacsha256-signature"
DEFAULT_API_BASE_URL = "https://connect.squareup.com"

STATUS_ACTIONS: dict[str, Action] = {
    "CANCELLED_BY_CUSTOMER": "cancelled",
    "CANCELLED_BY_SELLER": "cancelled",
    "DECLINED": "cancelled",
    "NO_SHOW": "no_show",
}


class Square(Platform):
    name = "square"
    stored_headers = (SIGNATURE_HEADER, "Content-Type", "User-Agent", "Square-Version")
    can_cancel = True
    default_api_base_url = DEFAULT_API_BASE_URL

    def cancel_booking(self, *, booking_id: str, reason: str, settings: Mapping[str, Any], http: Any) -> None:
        # POST /v2/bookings/{id}/cancel; the idempotency key makes a retried call one cancellation.
        # Square's booking has no field for a reason, so the clinic's own message is the client's word.
        self.api_call(
            settings, http, "POST", f"/v2/bookings/{quote(booking_id, safe='')}/cancel", what="Square bookings API",
            headers=bearer(settings), json={"idempotency_key": f"sessionguard-hold-{booking_id}"[:128]},
        )  # fmt: skip

    required_settings = {
        "notification_url": "Square needs the URL exactly as subscribed.",
        "api_key": "Square needs the access token.",
    }

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
        # Square signs the URL exactly as subscribed; a rebuilt one (proxy, scheme) would not match.
        notification_url = str(settings.get("notification_url") or "")
        if not notification_url:
            raise SignatureInvalid("notification_url is not configured")
        try:
            given_bytes = base64.b64decode(given, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise SignatureInvalid("signature is not base64") from exc
        expected = hmac_sha256(secret, notification_url.encode() + body)
        if not signatures_match(expected, given_bytes):
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
        event_type = data.get("type")
        if not isinstance(event_type, str) or not event_type:
            raise PayloadMalformed("`type` is missing")
        dedupe_key = get_id(data, "event_id")
        if event_type not in ("booking.created", "booking.updated"):
            return ParsedDelivery(
                event_type=event_type,
                dedupe_key=dedupe_key,
                ignored_reason=f"Square {event_type} is not a booking change we act on",
            )
        booking = get_object(get_object(get_object(data, "data"), "object", "data."), "booking", "data.object.")
        where = "data.object.booking."
        booking_id = get_id(booking, "id", where)
        status = text(booking, "status")
        action = STATUS_ACTIONS.get(status, "booked")

        segments = booking.get("appointment_segments")
        if segments is not None and not isinstance(segments, list):
            raise PayloadMalformed(f"`{where}appointment_segments` must be a list")
        segments = [s for s in segments or [] if isinstance(s, dict)]
        start = optional_datetime(booking, "start_at", where)
        end = None
        minutes = [int_or_none(s.get("duration_minutes")) for s in segments]
        if start is not None and minutes and None not in minutes:
            end = start + timedelta(minutes=sum(m for m in minutes if m is not None))
        first = segments[0] if segments else {}
        team_member_id = optional_id(first, "team_member_id")
        customer_id = optional_id(booking, "customer_id")

        change = BookingChange(
            action=action,
            booking_id=booking_id,
            start=start,
            end=end,
            client=Person(external_id=customer_id, name="", email="", phone="") if customer_id else None,
            staff=Person(external_id=team_member_id, name="", email="", phone="") if team_member_id else None,
            service_id=optional_id(first, "service_variation_id") or "",
            notes=text(booking, "customer_note"),
            version=int_or_none(booking.get("version")),
            # A cancelled or no-show booking is already known; only bookings need the person.
            needs_fetch=bool(customer_id) and action == "booked",
        )
        return ParsedDelivery(event_type=event_type, dedupe_key=dedupe_key, changes=(change,))

    def fetch(
        self,
        delivery: ParsedDelivery,
        *,
        settings: Mapping[str, Any],
        http: Any,
    ) -> ParsedDelivery:
        if not any(change.needs_fetch for change in delivery.changes):
            return delivery
        base_url = str(settings.get("api_base_url") or DEFAULT_API_BASE_URL).rstrip("/")
        request_headers = bearer(settings)
        changes = []
        for change in delivery.changes:
            if change.needs_fetch and change.client and change.client.external_id:
                customer_id = change.client.external_id
                result = http.request(
                    "GET",
                    f"{base_url}/v2/customers/{quote(customer_id, safe='')}",
                    headers=request_headers,
                )
                raise_for_status(result, "Square customers API")
                customer = json_from_result(result, "Square customers API").get("customer")
                if not isinstance(customer, dict):
                    customer = {}
                client = Person(
                    external_id=customer_id,
                    name=full_name(text(customer, "given_name"), text(customer, "family_name")),
                    email=text(customer, "email_address"),
                    phone=text(customer, "phone_number"),
                )
                change = dataclasses.replace(change, client=client, needs_fetch=False)
            changes.append(change)
        return dataclasses.replace(delivery, changes=tuple(changes))
