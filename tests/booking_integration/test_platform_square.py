"""Square: signature over notification URL + body, status mapping, the customer fetched."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime

import pytest

from booking_integration.platforms.base import PayloadMalformed, SignatureInvalid
from booking_integration.platforms.registry import get_platform
from service import http_client
from service.http_client import HttpError
from tests.booking_integration.fakeapi import FakeApi, fixture_bytes, fixture_json

SECRET = "square-signature-key"
NOTIFICATION_URL = "https://sessionguard.example/hooks/square/2b1f0c4e-8a44-4f0e-9c1d-3e7a5b6c9d10/"
NOW = datetime(2025, 3, 10, 9, 12, 45, tzinfo=UTC)
square = get_platform("square")


def sign(body: bytes, url: str = NOTIFICATION_URL, secret: str = SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), url.encode() + body, hashlib.sha256).digest()
    return {"X-Square-HmacSha256-Signature": base64.b64encode(digest).decode()}


def verify(body: bytes, headers: dict[str, str], url: str = NOTIFICATION_URL) -> None:
    square.verify(body=body, headers=headers, secret=SECRET, settings={"notification_url": url}, now=NOW)


def parse(name: str):
    return square.parse(body=fixture_bytes(f"square/{name}"), headers={}, content_type="application/json")


@pytest.fixture
def api():
    with FakeApi() as fake:
        fake.add("/v2/customers/JDKYHBWT1D4F8MFH63DBMEN8Y4", fixture_json("square/customer.json"))
        yield fake


def test_valid_signature_is_accepted():
    body = fixture_bytes("square/booking_created.json")
    verify(body, sign(body))


@pytest.mark.parametrize(
    "headers",
    [{}, {"x-square-hmacsha256-signature": base64.b64encode(b"1" * 32).decode()}],
    ids=["missing", "wrong"],
)
def test_missing_or_wrong_signature_is_refused(headers):
    with pytest.raises(SignatureInvalid):
        verify(fixture_bytes("square/booking_created.json"), headers)


def test_signature_for_another_url_is_refused():
    body = fixture_bytes("square/booking_created.json")
    with pytest.raises(SignatureInvalid):
        verify(body, sign(body, url=NOTIFICATION_URL.rstrip("/")))


def test_missing_notification_url_setting_is_refused():
    body = fixture_bytes("square/booking_created.json")
    with pytest.raises(SignatureInvalid, match="notification_url"):
        square.verify(body=body, headers=sign(body), secret=SECRET, settings={}, now=NOW)


def test_body_changed_by_one_byte_is_refused():
    body = fixture_bytes("square/booking_created.json")
    headers = sign(body)
    with pytest.raises(SignatureInvalid):
        verify(body.replace(b'"version": 0', b'"version": 9'), headers)


def test_created_booking_is_parsed():
    delivery = parse("booking_created.json")

    assert delivery.event_type == "booking.created"
    (change,) = delivery.changes
    assert change.action == "booked"
    assert change.booking_id == "m4xj1k3l9pbq2e"
    assert change.version == 0
    assert change.start == datetime(2025, 3, 14, 15, tzinfo=UTC)
    assert change.end == datetime(2025, 3, 14, 16, tzinfo=UTC)  # 45 + 15 minutes
    assert change.staff.external_id == "TMXUrsBWWcHTt79t"
    assert change.service_id == "GUN7HNQBH7ZRARYZN52E7O4B"
    assert change.client.external_id == "JDKYHBWT1D4F8MFH63DBMEN8Y4"
    assert change.client.email == ""
    assert change.notes == "Lower back sore for two weeks."
    assert change.needs_fetch is True


def test_moved_booking_is_emitted_as_booked_with_its_version():
    (change,) = parse("booking_updated_rescheduled.json").changes

    # The service layer compares with the stored booking to tell a move from a repeat.
    assert change.action == "booked"
    assert change.version == 1
    assert change.start == datetime(2025, 3, 15, 10, tzinfo=UTC)


def test_cancelled_booking_is_a_cancellation_without_fetch():
    (change,) = parse("booking_updated_cancelled.json").changes

    assert change.action == "cancelled"
    assert change.version == 2
    assert change.needs_fetch is False


@pytest.mark.parametrize(
    ("status", "action"),
    [("CANCELLED_BY_SELLER", "cancelled"), ("DECLINED", "cancelled"), ("NO_SHOW", "no_show"), ("PENDING", "booked")],
)
def test_statuses_map_to_actions(status, action):
    body = fixture_bytes("square/booking_created.json").replace(b'"ACCEPTED"', f'"{status}"'.encode())
    change = square.parse(body=body, headers={}, content_type="application/json").changes[0]
    assert change.action == action


def test_dedupe_key_is_the_event_id():
    assert parse("booking_created.json").dedupe_key == "5f4b9a1c-7c61-3e5a-9e5e-2f1e6f0b6a11"
    assert parse("booking_created.json").dedupe_key == parse("booking_created.json").dedupe_key
    assert parse("booking_created.json").dedupe_key != parse("booking_updated_rescheduled.json").dedupe_key


def test_other_event_types_are_ignored():
    body = b'{"type": "customer.created", "event_id": "e1", "data": {}}'
    delivery = square.parse(body=body, headers={}, content_type="application/json")
    assert delivery.ignored_reason
    assert delivery.changes == ()


@pytest.mark.parametrize(
    "body",
    [
        b"<xml/>",
        b'{"type": "booking.created", "data": {}}',
        b'{"type": "booking.created", "event_id": "e1", "data": {"object": {}}}',
        b'{"type": "booking.created", "event_id": "e1", "data": {"object": {"booking": {"start_at": "x", "id": "b"}}}}',
    ],
)
def test_malformed_body_is_refused(body):
    with pytest.raises(PayloadMalformed):
        square.parse(body=body, headers={}, content_type="application/json")


def test_fetch_fills_the_customer(api):
    settings = {"api_base_url": api.base_url, "api_key": "EAAA-square-token"}

    delivery = square.fetch(parse("booking_created.json"), settings=settings, http=http_client)

    (change,) = delivery.changes
    assert change.needs_fetch is False
    assert change.client.external_id == "JDKYHBWT1D4F8MFH63DBMEN8Y4"
    assert change.client.name == "Sam Rivers"
    assert change.client.email == "sam.rivers@example.com"
    assert change.client.phone == "+447911123456"
    assert change.start == datetime(2025, 3, 14, 15, tzinfo=UTC)
    assert api.requests[0].headers["authorization"] == "Bearer EAAA-square-token"


def test_fetch_server_error_is_retryable(api):
    api.add("/v2/customers/JDKYHBWT1D4F8MFH63DBMEN8Y4", {"errors": []}, status=503)
    settings = {"api_base_url": api.base_url, "api_key": "t"}

    with pytest.raises(HttpError) as caught:
        square.fetch(parse("booking_created.json"), settings=settings, http=http_client)

    assert caught.value.permanent is False
    assert caught.value.status_code == 503
