"""Acuity: signature keyed with the API key, form-encoded ids, the appointment fetched from its API."""

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

API_KEY = "acuity-api-key"
NOW = datetime(2025, 3, 10, 9, 12, 45, tzinfo=UTC)
FORM = "application/x-www-form-urlencoded"
acuity = get_platform("acuity")


def sign(body: bytes, key: str = API_KEY) -> dict[str, str]:
    return {"X-Acuity-Signature": base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()}


def verify(body: bytes, headers: dict[str, str]) -> None:
    acuity.verify(body=body, headers=headers, secret="", settings={"api_key": API_KEY}, now=NOW)


def parse(name: str):
    return acuity.parse(body=fixture_bytes(f"acuity/{name}"), headers={}, content_type=FORM)


@pytest.fixture
def api():
    with FakeApi() as fake:
        fake.add("/api/v1/appointments/1046593215", fixture_json("acuity/appointment.json"))
        yield fake


def settings_for(api: FakeApi) -> dict[str, str]:
    return {"api_base_url": api.base_url, "api_user": "19283", "api_key": API_KEY}


def test_signature_made_with_the_api_key_is_accepted():
    body = fixture_bytes("acuity/scheduled.txt")
    verify(body, {"x-acuity-signature": sign(body)["X-Acuity-Signature"]})


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-Acuity-Signature": base64.b64encode(b"0" * 32).decode()}, {"X-Acuity-Signature": "***"}],
    ids=["missing", "wrong", "not-base64"],
)
def test_missing_or_wrong_signature_is_refused(headers):
    with pytest.raises(SignatureInvalid):
        verify(fixture_bytes("acuity/scheduled.txt"), headers)


def test_signature_with_another_key_is_refused():
    body = fixture_bytes("acuity/scheduled.txt")
    with pytest.raises(SignatureInvalid):
        verify(body, sign(body, "someone-else"))


def test_body_changed_by_one_byte_is_refused():
    body = fixture_bytes("acuity/scheduled.txt")
    headers = sign(body)
    with pytest.raises(SignatureInvalid):
        verify(body.replace(b"1046593215", b"1046593216"), headers)


def test_no_api_key_configured_is_refused():
    body = fixture_bytes("acuity/scheduled.txt")
    with pytest.raises(SignatureInvalid):
        acuity.verify(body=body, headers=sign(body), secret="", settings={}, now=NOW)


@pytest.mark.parametrize(
    ("name", "action"),
    [
        ("scheduled.txt", "booked"),
        ("rescheduled.txt", "rescheduled"),
        ("canceled.txt", "cancelled"),
        ("changed.txt", "rescheduled"),
    ],
)
def test_each_action_gives_one_change_with_only_the_id(name, action):
    (change,) = parse(name).changes

    assert change.action == action
    assert change.booking_id == "1046593215"
    assert change.start is None
    assert change.client is None


def test_bookings_need_a_fetch_but_a_cancel_does_not():
    assert parse("scheduled.txt").changes[0].needs_fetch is True
    assert parse("canceled.txt").changes[0].needs_fetch is False


def test_no_acuity_delivery_is_deduplicated():
    # Two reschedules of one appointment send the same bytes, and processing fetches the current
    # state: an empty key means every delivery is acted on (the unique constraint skips "").
    assert parse("scheduled.txt").dedupe_key == parse("rescheduled.txt").dedupe_key == ""


def test_dynamic_webhook_action_names_are_understood():
    delivery = acuity.parse(body=b"action=appointment.scheduled&id=7", headers={}, content_type=FORM)
    assert delivery.changes[0].action == "booked"


def test_order_events_are_ignored():
    delivery = acuity.parse(body=b"action=order.completed&id=7", headers={}, content_type=FORM)
    assert delivery.ignored_reason
    assert delivery.changes == ()


@pytest.mark.parametrize("body", [b"", b"id=7", b"action=scheduled", b"\xff\xfe"])
def test_malformed_body_is_refused(body):
    with pytest.raises(PayloadMalformed):
        acuity.parse(body=body, headers={}, content_type=FORM)


def test_fetch_fills_the_change_from_the_api(api):
    delivery = acuity.fetch(parse("scheduled.txt"), settings=settings_for(api), http=http_client)

    (change,) = delivery.changes
    assert change.needs_fetch is False
    assert change.action == "booked"
    assert change.start == datetime(2025, 3, 14, 15, tzinfo=UTC)
    assert change.end == datetime(2025, 3, 14, 16, tzinfo=UTC)
    assert change.client.name == "Sam Rivers"
    assert change.client.email == "sam.rivers@example.com"
    assert change.client.phone == "+447911123456"
    assert change.staff.external_id == "7702"
    assert change.staff.name == "Maya Patel"
    assert change.service_name == "Deep tissue massage (60 min)"
    assert change.service_id == "5521"
    assert change.form_answers["Pain today, 0 to 10"] == "6"
    assert change.form_answers["402"] == "6"
    sent = api.requests[0]
    assert sent.path == "/api/v1/appointments/1046593215"
    assert sent.headers["authorization"] == "Basic " + base64.b64encode(f"19283:{API_KEY}".encode()).decode()


def test_fetch_does_nothing_for_a_cancel(api):
    delivery = parse("canceled.txt")

    assert acuity.fetch(delivery, settings=settings_for(api), http=http_client) is delivery
    assert api.requests == []


def test_fetch_failure_raises_http_error(api):
    api.add("/api/v1/appointments/1046593215", {"error": "not_found"}, status=404)

    with pytest.raises(HttpError) as caught:
        acuity.fetch(parse("scheduled.txt"), settings=settings_for(api), http=http_client)

    assert caught.value.status_code == 404
    assert caught.value.permanent is True


def test_fetch_from_a_private_address_is_refused_by_default(api, settings):
    settings.ALLOW_PRIVATE_WEBHOOK_URLS = False
    with pytest.raises(HttpError) as caught:
        acuity.fetch(parse("scheduled.txt"), settings=settings_for(api), http=http_client)

    assert caught.value.permanent is True
    assert api.requests == []
