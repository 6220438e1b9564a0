"""Mindbody: sha256=<base64> signature, messageId dedupe, created/updated/cancelled."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from booking_integration.platforms.base import PayloadMalformed, SignatureInvalid
from booking_integration.platforms.registry import get_platform
from tests.booking_integration.fakeapi import fixture_bytes

SECRET = "mindbody-message-signature-key"
NOW = datetime(2025, 3, 10, 9, 12, 45, tzinfo=UTC)
mindbody = get_platform("mindbody")


def sign(body: bytes, secret: str = SECRET) -> dict[str, str]:
    digest = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    return {"X-Mindbody-Signature": f"sha256={digest}"}


def verify(body: bytes, headers: dict[str, str]) -> None:
    mindbody.verify(body=body, headers=headers, secret=SECRET, settings={}, now=NOW)


def parse(name: str):
    return mindbody.parse(body=fixture_bytes(f"mindbody/{name}"), headers={}, content_type="application/json")


def test_valid_signature_is_accepted():
    body = fixture_bytes("mindbody/appointment_created.json")
    verify(body, {"x-mindbody-signature": sign(body)["X-Mindbody-Signature"]})


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Mindbody-Signature": "sha256=" + base64.b64encode(b"2" * 32).decode()},
        {"X-Mindbody-Signature": base64.b64encode(b"2" * 32).decode()},
    ],
    ids=["missing", "wrong", "no-prefix"],
)
def test_missing_or_wrong_signature_is_refused(headers):
    with pytest.raises(SignatureInvalid):
        verify(fixture_bytes("mindbody/appointment_created.json"), headers)


def test_body_changed_by_one_byte_is_refused():
    body = fixture_bytes("mindbody/appointment_created.json")
    headers = sign(body)
    with pytest.raises(SignatureInvalid):
        verify(body.replace(b"35720", b"35721"), headers)


def test_created_appointment_is_parsed():
    (change,) = parse("appointment_created.json").changes

    assert change.action == "booked"
    assert change.booking_id == "35720"
    assert change.start == datetime(2025, 3, 14, 15, tzinfo=UTC)
    assert change.end == datetime(2025, 3, 14, 16, tzinfo=UTC)
    assert change.client.external_id == "100000042"
    assert change.client.name == "Sam Rivers"
    assert change.client.phone == "+447911123456"
    assert change.staff.external_id == "12"
    assert change.staff.name == "Maya Patel"
    assert change.service_name == "Deep tissue massage (60 min)"
    assert change.service_id == "44"


def test_updated_appointment_is_a_move():
    (change,) = parse("appointment_updated.json").changes

    assert change.action == "rescheduled"
    assert change.start == datetime(2025, 3, 15, 10, tzinfo=UTC)


def test_cancelled_appointment_is_a_cancellation():
    (change,) = parse("appointment_cancelled.json").changes

    assert change.action == "cancelled"


def test_update_with_no_show_status_is_a_no_show():
    body = fixture_bytes("mindbody/appointment_updated.json").replace(b'"Booked"', b'"NoShow"')
    (change,) = mindbody.parse(body=body, headers={}, content_type="application/json").changes
    assert change.action == "no_show"


def test_times_without_offset_are_read_in_the_clinic_time_zone():
    body = fixture_bytes("mindbody/appointment_created.json").replace(b"15:00:00Z", b"15:00:00")
    london_summer = body.replace(b"2025-03-14T15", b"2025-07-14T15")

    (change,) = mindbody.parse(
        body=london_summer, headers={}, content_type="application/json", default_tz=ZoneInfo("Europe/London")
    ).changes

    assert change.start == datetime(2025, 7, 14, 14, tzinfo=UTC)
    with pytest.raises(PayloadMalformed):
        mindbody.parse(body=body, headers={}, content_type="application/json")


def test_dedupe_key_is_the_message_id():
    assert parse("appointment_created.json").dedupe_key == "7BUeUsBpM7qeGqeYYN8MrR"
    assert parse("appointment_created.json").dedupe_key != parse("appointment_updated.json").dedupe_key


def test_other_events_are_ignored():
    body = b'{"messageId": "m1", "eventId": "classRosterBooking.created", "eventData": {}}'
    delivery = mindbody.parse(body=body, headers={}, content_type="application/json")
    assert delivery.ignored_reason
    assert delivery.changes == ()


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b'{"eventId": "appointmentBooking.created", "eventData": {"appointmentId": 1}}',
        b'{"messageId": "m1", "eventId": "appointmentBooking.created"}',
        b'{"messageId": "m1", "eventId": "appointmentBooking.created", "eventData": {}}',
    ],
)
def test_malformed_body_is_refused(body):
    with pytest.raises(PayloadMalformed):
        mindbody.parse(body=body, headers={}, content_type="application/json")
