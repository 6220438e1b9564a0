"""Cal.com: signature check and parsing of real-shaped payloads."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

import pytest

from booking_integration.platforms.base import PayloadMalformed, SignatureInvalid
from booking_integration.platforms.registry import get_platform
from tests.booking_integration.fakeapi import fixture_bytes

SECRET = "cal-webhook-secret"
NOW = datetime(2025, 3, 10, 9, 12, 45, tzinfo=UTC)
calcom = get_platform("calcom")


def sign(body: bytes, secret: str = SECRET) -> dict[str, str]:
    return {"x-cal-signature-256": hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()}


def verify(body: bytes, headers: dict[str, str]) -> None:
    calcom.verify(body=body, headers=headers, secret=SECRET, settings={}, now=NOW)


def parse(name: str):
    return calcom.parse(body=fixture_bytes(f"calcom/{name}"), headers={}, content_type="application/json")


def test_valid_signature_is_accepted_whatever_the_header_case():
    body = fixture_bytes("calcom/booking_created.json")
    verify(body, {"X-Cal-Signature-256": sign(body)["x-cal-signature-256"]})


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-Cal-Signature-256": "no-secret-provided"}, {"X-Cal-Signature-256": "00" * 32}],
    ids=["missing", "no-secret-provided", "wrong"],
)
def test_missing_wrong_or_unset_signature_is_refused(headers):
    with pytest.raises(SignatureInvalid):
        verify(fixture_bytes("calcom/booking_created.json"), headers)


def test_signature_with_another_secret_is_refused():
    body = fixture_bytes("calcom/booking_created.json")
    with pytest.raises(SignatureInvalid):
        verify(body, sign(body, "other-secret"))


def test_body_changed_by_one_byte_is_refused():
    body = fixture_bytes("calcom/booking_created.json")
    headers = sign(body)
    with pytest.raises(SignatureInvalid):
        verify(body.replace(b"Yes", b"Yet", 1), headers)


def test_empty_configured_secret_is_refused():
    body = fixture_bytes("calcom/booking_created.json")
    with pytest.raises(SignatureInvalid):
        calcom.verify(body=body, headers=sign(body, ""), secret="", settings={}, now=NOW)


def test_created_booking_is_parsed():
    delivery = parse("booking_created.json")

    assert delivery.event_type == "BOOKING_CREATED"
    assert delivery.ignored_reason is None
    (change,) = delivery.changes
    assert change.action == "booked"
    assert change.booking_id == "bFJeNb2uX8ENkHsRU5bFWS"
    assert change.previous_booking_id is None
    assert change.start == datetime(2025, 3, 14, 15, tzinfo=UTC)
    assert change.end == datetime(2025, 3, 14, 16, tzinfo=UTC)
    assert change.client.name == "Sam Rivers"
    assert change.client.email == "sam.rivers@example.com"
    assert change.client.phone == "+447911123456"
    assert change.staff.external_id == "3021"
    assert change.staff.email == "maya@riverside-massage.example"
    assert change.service_name == "deep-tissue-60"
    assert change.service_id == "912"
    assert change.form_answers["leg-pain"] == "Yes"
    assert change.form_answers["Do you have pain running down your leg right now?"] == "Yes"
    assert change.form_answers["pain-score"] == "6"
    assert change.notes.startswith("Lower back")
    assert change.needs_fetch is False


def test_rescheduled_booking_points_at_the_old_uid():
    (change,) = parse("booking_rescheduled.json").changes

    assert change.action == "rescheduled"
    assert change.booking_id == "q7Kc2vRmTz9sPWd1HnYxEa"
    assert change.previous_booking_id == "bFJeNb2uX8ENkHsRU5bFWS"
    assert change.start == datetime(2025, 3, 15, 10, tzinfo=UTC)


def test_cancelled_booking_is_parsed_with_its_reason():
    (change,) = parse("booking_cancelled.json").changes

    assert change.action == "cancelled"
    assert change.booking_id == "q7Kc2vRmTz9sPWd1HnYxEa"
    assert change.notes == "Feeling unwell"


def test_meeting_ended_completes_the_booking():
    (change,) = parse("meeting_ended.json").changes
    assert change.action == "completed"


def test_other_triggers_are_ignored_not_refused():
    body = fixture_bytes("calcom/meeting_ended.json").replace(b'"MEETING_ENDED"', b'"BOOKING_REQUESTED"')
    delivery = calcom.parse(body=body, headers={}, content_type="application/json")

    assert delivery.changes == ()
    assert delivery.ignored_reason
    assert delivery.dedupe_key


def test_dedupe_key_repeats_for_a_redelivery_and_differs_between_events():
    keys = {name: parse(name).dedupe_key for name in ("booking_created.json", "booking_rescheduled.json")}

    assert parse("booking_created.json").dedupe_key == keys["booking_created.json"]
    assert keys["booking_created.json"] != keys["booking_rescheduled.json"]
    assert parse("booking_cancelled.json").dedupe_key != keys["booking_rescheduled.json"]


def test_form_encoded_body_says_the_template_must_stay_json():
    with pytest.raises(PayloadMalformed, match="template must stay JSON"):
        calcom.parse(
            body=fixture_bytes("calcom/booking_created_form.txt"),
            headers={},
            content_type="application/x-www-form-urlencoded",
        )


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[]",
        b'{"triggerEvent": "BOOKING_CREATED"}',
        b'{"triggerEvent": "BOOKING_CREATED", "payload": {}}',
    ],
)
def test_malformed_body_is_refused(body):
    with pytest.raises(PayloadMalformed):
        calcom.parse(body=body, headers={}, content_type="application/json")
