"""Standard Webhooks: verified with the standardwebhooks library, our own appointment body."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from standardwebhooks.webhooks import Webhook

from booking_integration.platforms.base import PayloadMalformed, SignatureInvalid
from booking_integration.platforms.registry import get_platform
from tests.booking_integration.fakeapi import fixture_bytes

SECRET = "whsec_" + base64.b64encode(b"sessionguard-test-signing-key-32b").decode()
standard = get_platform("standard")


def sign(body: bytes, msg_id: str = "msg_2mV9Yq", at: datetime | None = None, secret: str = SECRET) -> dict:
    at = at or datetime.now(tz=UTC)
    signature = Webhook(secret).sign(msg_id, at, body.decode())
    return {"webhook-id": msg_id, "webhook-timestamp": str(int(at.timestamp())), "webhook-signature": signature}


def verify(body: bytes, headers: dict[str, str], now: datetime | None = None) -> None:
    standard.verify(body=body, headers=headers, secret=SECRET, settings={}, now=now or datetime.now(tz=UTC))


def parse(name: str, msg_id: str = "msg_2mV9Yq"):
    return standard.parse(
        body=fixture_bytes(f"standard/{name}"), headers={"Webhook-Id": msg_id}, content_type="application/json"
    )


def test_valid_signature_is_accepted_whatever_the_header_case():
    body = fixture_bytes("standard/appointment_booked.json")
    verify(body, {name.title(): value for name, value in sign(body).items()})


def test_stale_timestamp_is_refused():
    body = fixture_bytes("standard/appointment_booked.json")
    with pytest.raises(SignatureInvalid):
        verify(body, sign(body, at=datetime.now(tz=UTC) - timedelta(minutes=6)))


def test_timestamp_is_checked_against_the_given_now():
    body = fixture_bytes("standard/appointment_booked.json")
    with pytest.raises(SignatureInvalid):
        verify(body, sign(body), now=datetime.now(tz=UTC) + timedelta(minutes=10))


@pytest.mark.parametrize("drop", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_missing_header_is_refused(drop):
    body = fixture_bytes("standard/appointment_booked.json")
    headers = sign(body)
    del headers[drop]
    with pytest.raises(SignatureInvalid):
        verify(body, headers)


@pytest.mark.parametrize("signature", ["v1," + base64.b64encode(b"3" * 32).decode(), "garbage", "v1,%%%"])
def test_wrong_or_malformed_signature_is_refused(signature):
    body = fixture_bytes("standard/appointment_booked.json")
    headers = {**sign(body), "webhook-signature": signature}
    with pytest.raises(SignatureInvalid):
        verify(body, headers)


def test_signature_with_another_secret_is_refused():
    body = fixture_bytes("standard/appointment_booked.json")
    other = "whsec_" + base64.b64encode(b"another-key-entirely-32-bytes-ok").decode()
    with pytest.raises(SignatureInvalid):
        verify(body, sign(body, secret=other))


def test_body_changed_by_one_byte_is_refused():
    body = fixture_bytes("standard/appointment_booked.json")
    headers = sign(body)
    with pytest.raises(SignatureInvalid):
        verify(body.replace(b"firm", b"deep"), headers)


def test_empty_secret_is_refused():
    body = fixture_bytes("standard/appointment_booked.json")
    with pytest.raises(SignatureInvalid):
        standard.verify(body=body, headers=sign(body), secret="", settings={}, now=datetime.now(tz=UTC))


def test_booked_appointment_is_parsed():
    delivery = parse("appointment_booked.json")

    assert delivery.dedupe_key == "msg_2mV9Yq"
    (change,) = delivery.changes
    assert change.action == "booked"
    assert change.booking_id == "APT-88121"
    assert change.start == datetime(2025, 3, 14, 15, tzinfo=UTC)
    assert change.end == datetime(2025, 3, 14, 16, tzinfo=UTC)
    assert change.client.external_id == "C-20931"
    assert change.client.email == "sam.rivers@example.com"
    assert change.staff.email == "maya@riverside-massage.example"
    assert change.therapist_id is None
    assert change.service_name == "Deep tissue massage"
    assert change.service_pressure == "firm"
    assert change.form_answers == {"leg_pain_now": True, "pain_score": 6, "bladder_bowel_change": False}


def test_rescheduled_appointment_uses_therapist_id_and_computes_the_end():
    (change,) = parse("appointment_rescheduled.json").changes

    assert change.action == "rescheduled"
    assert change.therapist_id == "5b0f6a0e-2f43-4c55-9d8a-6a1f0e3b7c21"
    assert change.staff is None
    assert change.start == datetime(2025, 3, 15, 10, tzinfo=UTC)
    assert change.end == datetime(2025, 3, 15, 11, tzinfo=UTC)


def test_cancelled_appointment_is_parsed():
    (change,) = parse("appointment_cancelled.json").changes

    assert change.action == "cancelled"
    assert change.booking_id == "APT-88121"


def test_dedupe_key_is_the_webhook_id():
    assert parse("appointment_booked.json").dedupe_key == parse("appointment_booked.json").dedupe_key
    assert (
        parse("appointment_booked.json", "msg_1").dedupe_key != parse("appointment_cancelled.json", "msg_2").dedupe_key
    )


def test_other_types_are_ignored():
    delivery = standard.parse(
        body=b'{"type": "screening.completed", "data": {}}',
        headers={"webhook-id": "m"},
        content_type="application/json",
    )
    assert delivery.ignored_reason
    assert delivery.changes == ()


@pytest.mark.parametrize(
    "body",
    [
        b"{",
        b'{"data": {}}',
        b'{"type": "appointment.booked", "data": {"client": {}}}',
        b'{"type": "appointment.booked", "data": {"external": {"id": "x"}, "client": "c-id"}}',
        b'{"type": "appointment.booked", "data": {"external": {"id": "x"}, "start": "tomorrow"}}',
    ],
)
def test_malformed_body_is_refused(body):
    with pytest.raises(PayloadMalformed):
        standard.parse(body=body, headers={"webhook-id": "m"}, content_type="application/json")


def test_the_specifications_published_example_verifies():
    # The example in the Standard Webhooks specification (and its reference libraries' tests).
    headers = {
        "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "webhook-timestamp": "1614265330",
        "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    }
    body = b'{"test": 2432232314}'
    at = datetime.fromtimestamp(1614265330, tz=UTC)
    with time_machine.travel(at, tick=False):  # the reference library reads the clock itself
        _verify_vector(body, headers, at)


def _verify_vector(body: bytes, headers: dict, at: datetime) -> None:
    standard.verify(body=body, headers=headers, secret="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", settings={}, now=at)
    with pytest.raises(SignatureInvalid):
        standard.verify(body=body.replace(b"2", b"3", 1), headers=headers,
                        secret="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", settings={}, now=at)  # fmt: skip
