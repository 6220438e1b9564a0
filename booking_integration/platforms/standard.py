"""Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`) in a body we define.

Body: `{"type": "appointment.booked" | "appointment.rescheduled" | "appointment.cancelled",
"data": <POST /api/v1/appointments body with "external": {"platform", "id"}>}`. Our own choices,
not a platform's, so nothing is unconfirmed except what a sender puts in `data`: a client given
as a bare id is refused (clients are matched by external id or email here).
"""

from __future__ import annotations

import binascii
from collections.abc import Mapping
from datetime import datetime, timedelta, tzinfo
from typing import Any

from standardwebhooks.webhooks import (
    EmptyWebhookSecretError,
    Webhook,
    WebhookVerificationError,
)

from booking_integration.platforms.base import (
    Action,
    BookingChange,
    ParsedDelivery,
    PayloadMalformed,
    Person,
    Platform,
    SignatureInvalid,
    check_unix_timestamp,
    get_id,
    get_object,
    header,
    int_or_none,
    load_json_object,
    optional_datetime,
    optional_id,
    optional_object,
    text,
)

ACTIONS: dict[str, Action] = {
    "appointment.booked": "booked",
    "appointment.rescheduled": "rescheduled",
    "appointment.cancelled": "cancelled",
}


class StandardWebhooks(Platform):
    name = "standard"
    stored_headers = ("webhook-id", "webhook-timestamp", "webhook-signature", "Content-Type")
    sends_answer_keys = True

    def validate_settings(self, *, signing_secret: str, settings: Mapping[str, Any]) -> dict[str, Any]:
        errors = super().validate_settings(signing_secret=signing_secret, settings=settings)
        if signing_secret:
            try:
                Webhook(signing_secret)
            except Exception:
                errors["signing_secret"] = ["Use a Standard Webhooks secret: whsec_ followed by base64."]
        return errors

    def verify(
        self,
        *,
        body: bytes,
        headers: Mapping[str, str],
        secret: str,
        settings: Mapping[str, Any],
        now: datetime,
    ) -> None:
        wanted = ("webhook-id", "webhook-timestamp", "webhook-signature")
        found = {name: header(headers, name) for name in wanted}
        if not all(found.values()):
            raise SignatureInvalid("missing webhook-id, webhook-timestamp or webhook-signature")
        # Checked against `now` here because the library only knows the wall clock.
        check_unix_timestamp(str(found["webhook-timestamp"]), now)
        try:
            webhook = Webhook(secret)
        except (EmptyWebhookSecretError, binascii.Error, ValueError) as exc:
            raise SignatureInvalid("no usable signing secret configured") from exc
        try:
            webhook.verify(body, {k: str(v) for k, v in found.items()}, json_parse=False)
        except WebhookVerificationError as exc:
            raise SignatureInvalid("signature does not match") from exc
        except (ValueError, binascii.Error) as exc:
            # The library trips over a non-UTF-8 body or a signature without "v1,".
            raise SignatureInvalid("malformed signature or body") from exc

    def parse(
        self,
        *,
        body: bytes,
        headers: Mapping[str, str],
        content_type: str,
        default_tz: tzinfo | None = None,
    ) -> ParsedDelivery:
        message_id = header(headers, "webhook-id")
        if not message_id:
            raise PayloadMalformed("webhook-id header is missing")
        data = load_json_object(body)
        event_type = data.get("type")
        if not isinstance(event_type, str) or not event_type:
            raise PayloadMalformed("`type` is missing")
        action = ACTIONS.get(event_type)
        if action is None:
            return ParsedDelivery(
                event_type=event_type,
                dedupe_key=message_id,
                ignored_reason=f"{event_type} is not a booking change we act on",
            )
        booking = get_object(data, "data")
        external = get_object(booking, "external", "data.")
        platform = text(external, "platform")
        service = optional_object(booking, "service", "data.")

        start = optional_datetime(booking, "start", "data.")
        end = optional_datetime(booking, "end", "data.")
        duration = int_or_none(service.get("duration_minutes"))
        if end is None and start is not None and duration is not None:
            end = start + timedelta(minutes=duration)
        pressure = text(service, "pressure") or None

        change = BookingChange(
            action=action,
            booking_id=get_id(external, "id", "data.external."),
            start=start,
            end=end,
            client=_client(booking, platform),
            staff=_staff(booking),
            service_name=text(service, "name"),
            form_answers=dict(optional_object(booking, "answers", "data.")),
            notes=text(booking, "notes"),
            service_pressure=pressure,
            therapist_id=optional_id(booking, "therapist_id"),
            external_platform=platform or None,
        )
        return ParsedDelivery(event_type=event_type, dedupe_key=message_id, changes=(change,))


def _client(booking: Mapping[str, Any], platform: str) -> Person | None:
    client = booking.get("client")
    if client is None:
        return None
    if not isinstance(client, dict):
        raise PayloadMalformed("`data.client` must be an object with name, email and phone")
    external_ids = optional_object(client, "external_ids", "data.client.")
    external_id = optional_id(external_ids, platform) if platform else None
    return Person(
        external_id=external_id,
        name=text(client, "name"),
        email=text(client, "email"),
        phone=text(client, "phone"),
    )


def _staff(booking: Mapping[str, Any]) -> Person | None:
    therapist = optional_object(booking, "therapist", "data.")
    if not therapist:
        return None
    return Person(
        external_id=optional_id(therapist, "external_id") or optional_id(therapist, "id"),
        name=text(therapist, "name"),
        email=text(therapist, "email"),
        phone="",
    )
