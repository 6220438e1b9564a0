"""Calendly: timestamped signature, and reschedules as a move rather than a cancel."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from booking_integration.platforms.base import PayloadMalformed, SignatureInvalid
from booking_integration.platforms.registry import get_platform
from tests.booking_integration.fakeapi import fixture_bytes

SECRET = "calendly-signing-key"
NOW = datetime(2025, 3, 10, 9, 12, 45, tzinfo=UTC)
calendly = get_platform("calendly")
OLD_INVITEE = "https://api.calendly.com/scheduled_events/GBGBDCAADAEDCRZ2/invitees/AAAAAAAAAAAAAAAA"
NEW_INVITEE = "https://api.calendly.com/scheduled_events/HCHCEDBBEBFEDSA3/invitees/BBBBBBBBBBBBBBBB"


def sign(body: bytes, at: datetime = NOW, secret: str = SECRET) -> dict[str, str]:
    t = str(int(at.timestamp()))
    digest = hmac.new(secret.encode(), t.encode() + b"." + body, hashlib.sha256).hexdigest()
    return {"Calendly-Webhook-Signature": f"t={t},v1={digest}"}


def verify(body: bytes, headers: dict[str, str]) -> None:
    calendly.verify(body=body, headers=headers, secret=SECRET, settings={}, now=NOW)


def parse(name: str):
    return calendly.parse(body=fixture_bytes(f"calendly/{name}"), headers={}, content_type="application/json")


def test_valid_signature_is_accepted():
    body = fixture_bytes("calendly/invitee_created.json")
    verify(body, {"calendly-webhook-signature": sign(body)["Calendly-Webhook-Signature"]})


def test_signature_four_minutes_off_either_way_is_accepted():
    body = fixture_bytes("calendly/invitee_created.json")
    verify(body, sign(body, NOW - timedelta(minutes=4)))
    verify(body, sign(body, NOW + timedelta(minutes=4)))


@pytest.mark.parametrize("offset", [timedelta(minutes=-6), timedelta(minutes=6)], ids=["stale", "future"])
def test_timestamp_outside_five_minutes_is_refused(offset):
    body = fixture_bytes("calendly/invitee_created.json")
    with pytest.raises(SignatureInvalid):
        verify(body, sign(body, NOW + offset))


@pytest.mark.parametrize(
    "headers",
    [{}, {"Calendly-Webhook-Signature": "t=1741597965,v1=" + "0" * 64}, {"Calendly-Webhook-Signature": "garbage"}],
    ids=["missing", "wrong", "malformed"],
)
def test_missing_wrong_or_malformed_signature_is_refused(headers):
    with pytest.raises(SignatureInvalid):
        verify(fixture_bytes("calendly/invitee_created.json"), headers)


def test_body_changed_by_one_byte_is_refused():
    body = fixture_bytes("calendly/invitee_created.json")
    headers = sign(body)
    with pytest.raises(SignatureInvalid):
        verify(body.replace(b"Sam", b"Pam", 1), headers)


def test_created_invitee_is_a_booking():
    delivery = parse("invitee_created.json")

    (change,) = delivery.changes
    assert change.action == "booked"
    assert change.booking_id == OLD_INVITEE
    assert change.previous_booking_id is None
    assert change.start == datetime(2025, 3, 14, 15, tzinfo=UTC)
    assert change.end == datetime(2025, 3, 14, 16, tzinfo=UTC)
    assert change.client.email == "sam.rivers@example.com"
    assert change.client.phone == "+447911123456"
    assert change.staff.email == "maya@riverside-massage.example"
    assert change.staff.external_id == "https://api.calendly.com/users/GBGBDCAADAEDCRZ2"
    assert change.service_name == "Deep tissue massage (60 min)"
    assert change.form_answers["Pain today, 0 to 10"] == "6"


def test_reschedule_cancel_half_is_ignored_so_questionnaires_survive():
    delivery = parse("invitee_canceled_for_reschedule.json")

    assert delivery.changes == ()
    assert "reschedule" in delivery.ignored_reason


def test_reschedule_created_half_moves_the_old_invitee():
    (change,) = parse("invitee_created_rescheduled.json").changes

    assert change.action == "rescheduled"
    assert change.booking_id == NEW_INVITEE
    assert change.previous_booking_id == OLD_INVITEE
    assert change.start == datetime(2025, 3, 15, 10, tzinfo=UTC)


def test_plain_cancel_is_a_cancellation():
    (change,) = parse("invitee_canceled.json").changes

    assert change.action == "cancelled"
    assert change.booking_id == NEW_INVITEE
    assert change.notes == "Feeling unwell"


def test_dedupe_key_is_invitee_and_event():
    created = parse("invitee_created.json").dedupe_key

    assert created == parse("invitee_created.json").dedupe_key
    assert created == f"{OLD_INVITEE}|invitee.created"
    # Same invitee, other event: a different delivery.
    assert parse("invitee_canceled_for_reschedule.json").dedupe_key != created


def test_other_events_are_ignored():
    body = b'{"event": "routing_form_submission.created", "payload": {"uri": "x"}}'
    delivery = calendly.parse(body=body, headers={}, content_type="application/json")
    assert delivery.ignored_reason
    assert delivery.changes == ()


@pytest.mark.parametrize(
    "body",
    [b"nope", b'{"payload": {}}', b'{"event": "invitee.created", "payload": {"uri": "u"}}'],
)
def test_malformed_body_is_refused(body):
    with pytest.raises(PayloadMalformed):
        calendly.parse(body=body, headers={}, content_type="application/json")
