"""Acuity Scheduling webhooks: a form-encoded id, signed with the account's API key, fetched from its API.

Unconfirmed: `notes` on the appointment for the client's notes, that no client id is returned
(clients are matched by email), and the `appointment.<action>` spelling of dynamic webhooks
being otherwise identical to the classic one.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
from collections.abc import Mapping
from datetime import datetime, timedelta, tzinfo
from typing import Any
from urllib.parse import parse_qs, quote

from booking_integration.platforms.base import (
    Action,
    BookingChange,
    ParsedDelivery,
    PayloadMalformed,
    Person,
    Platform,
    SignatureInvalid,
    full_name,
    hmac_sha256,
    int_or_none,
    json_from_result,
    optional_id,
    parse_datetime,
    raise_for_status,
    required_header,
    signatures_match,
    text,
)
from service.http_client import HttpError

SIGNATURE_HEADER = "X-Acuity-Signature"
DEFAULT_API_BASE_URL = "https://acuityscheduling.com"

# `changed` overlaps the others; treating it as a move keeps it harmless when the time is unchanged.
ACTIONS: dict[str, Action] = {
    "scheduled": "booked",
    "rescheduled": "rescheduled",
    "canceled": "cancelled",
    "changed": "rescheduled",
}


class Acuity(Platform):
    name = "acuity"
    stored_headers = (SIGNATURE_HEADER, "Content-Type", "User-Agent")
    # Acuity signs with the account's API key and is fetched from with user id + key.
    signs_with_secret = False
    required_settings = {
        "api_user": "Acuity needs its user id (api_user) and API key (api_key).",
        "api_key": "Acuity needs its user id (api_user) and API key (api_key).",
    }
    can_cancel = True
    default_api_base_url = DEFAULT_API_BASE_URL

    def cancel_booking(self, *, booking_id: str, reason: str, settings: Mapping[str, Any], http: Any) -> None:
        # PUT /api/v1/appointments/{id}/cancel?admin=true (as the business, whatever the client's
        # cancellation window), basic auth with the user id and API key.
        self.api_call(
            settings, http, "PUT", f"/api/v1/appointments/{quote(booking_id, safe='')}/cancel?admin=true",
            what="Acuity appointments API", headers={"Accept": "application/json"}, json={"cancelNote": reason},
            auth=(str(settings.get("api_user") or ""), str(settings.get("api_key") or "")),
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
        # Acuity signs with the API key; the integration's signing secret is only a fallback.
        key = str(settings.get("api_key") or secret or "")
        if not key:
            raise SignatureInvalid("no API key configured to check the signature")
        try:
            given_bytes = base64.b64decode(given, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise SignatureInvalid("signature is not base64") from exc
        if not signatures_match(hmac_sha256(key, body), given_bytes):
            raise SignatureInvalid("signature does not match")

    def parse(
        self,
        *,
        body: bytes,
        headers: Mapping[str, str],
        content_type: str,
        default_tz: tzinfo | None = None,
    ) -> ParsedDelivery:
        try:
            fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True)
        except (UnicodeDecodeError, ValueError) as exc:
            raise PayloadMalformed("body must be form-encoded (action=...&id=...)") from exc
        raw_action = (fields.get("action") or [""])[0]
        appointment_id = (fields.get("id") or [""])[0]
        if not raw_action:
            raise PayloadMalformed("`action` is missing")
        # The body is only an id, the same for every reschedule of one appointment, and acting on it
        # fetches the appointment as it is now: every delivery is acted on, none is a duplicate.
        dedupe_key = ""
        # Dynamic webhooks name the event `appointment.scheduled`; classic ones `scheduled`.
        action = ACTIONS.get(raw_action.removeprefix("appointment."))
        if action is None:
            return ParsedDelivery(
                event_type=raw_action,
                dedupe_key=dedupe_key,
                ignored_reason=f"Acuity {raw_action} is not a booking change we act on",
            )
        if not appointment_id:
            raise PayloadMalformed("`id` is missing")
        change = BookingChange(
            action=action,
            booking_id=appointment_id,
            service_id=(fields.get("appointmentTypeID") or [""])[0],
            # A cancel needs nothing but the id, and must not wait on (or fail with) the API.
            needs_fetch=action != "cancelled",
        )
        return ParsedDelivery(event_type=raw_action, dedupe_key=dedupe_key, changes=(change,))

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
        auth = (str(settings.get("api_user") or ""), str(settings.get("api_key") or ""))
        changes = []
        for change in delivery.changes:
            if change.needs_fetch:
                url = f"{base_url}/api/v1/appointments/{quote(change.booking_id, safe='')}"
                result = http.request(
                    "GET",
                    url,
                    headers={"Accept": "application/json"},
                    auth=auth,
                )
                raise_for_status(result, "Acuity appointments API")
                appointment = json_from_result(result, "Acuity appointments API")
                change = _fill(change, appointment)
            changes.append(change)
        return dataclasses.replace(delivery, changes=tuple(changes))


def _fill(change: BookingChange, appointment: Mapping[str, Any]) -> BookingChange:
    try:
        start = parse_datetime(appointment.get("datetime"), "datetime")
    except PayloadMalformed as exc:
        # The API's answer is wrong, not the webhook: retrying the delivery will not help.
        raise HttpError(f"Acuity appointment: {exc.message}", permanent=True) from exc
    duration = int_or_none(appointment.get("duration"))
    end = start + timedelta(minutes=duration) if duration is not None else None
    calendar_id = optional_id(appointment, "calendarID")
    staff = None
    if calendar_id or text(appointment, "calendar"):
        staff = Person(external_id=calendar_id, name=text(appointment, "calendar"), email="", phone="")
    # The appointment as it is now decides: a `changed` (or late `rescheduled`) of a cancelled one cancels.
    action: Action = "cancelled" if appointment.get("canceled") is True else change.action
    return dataclasses.replace(
        change,
        action=action,
        reschedule_url=text(appointment, "confirmationPage"),
        start=start,
        end=end,
        client=Person(
            external_id=None,
            name=full_name(text(appointment, "firstName"), text(appointment, "lastName")),
            email=text(appointment, "email"),
            phone=text(appointment, "phone"),
        ),
        staff=staff,
        service_name=text(appointment, "type"),
        service_id=optional_id(appointment, "appointmentTypeID") or change.service_id,
        form_answers=_answers(appointment),
        notes=text(appointment, "notes"),
        needs_fetch=False,
    )


def _answers(appointment: Mapping[str, Any]) -> dict[str, object]:
    answers: dict[str, object] = {}
    forms = appointment.get("forms")
    if not isinstance(forms, list):
        return answers
    for form in forms:
        values = form.get("values") if isinstance(form, dict) else None
        if not isinstance(values, list):
            continue
        for item in values:
            if not isinstance(item, dict):
                continue
            value = item.get("value")
            if isinstance(item.get("name"), str) and item["name"]:
                answers[item["name"]] = value
            field_id = optional_id(item, "fieldID")
            if field_id:
                answers[field_id] = value
    return answers
