"""A new platform and a new channel are each one registration: a fake of each, end to end."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator, Mapping
from datetime import datetime, tzinfo
from typing import Any

import pytest

from booking_integration.models import InboundDelivery
from booking_integration.platforms.base import (
    BookingChange,
    ParsedDelivery,
    Person,
    Platform,
    SignatureInvalid,
    get_id,
    load_json_object,
    parse_datetime,
    required_header,
    required_secret,
    signatures_match,
)
from booking_integration.platforms.registry import register_platform, unregister_platform
from service.exceptions import TransportError
from service.models import Appointment, Notification, NotificationPurpose
from service.notifications import outbox
from service.notifications.transports import Transport, register_transport, unregister_transport
from tests.factories import AppointmentFactory

pytestmark = pytest.mark.usefixtures("inline_tasks")


class FakeBook(Platform):
    """A booking platform that signs the body with HMAC-SHA256 in X-Fake-Signature."""

    name = "fakebook"
    stored_headers = ("X-Fake-Signature",)
    required_settings = {"api_key": "FakeBook needs its API key."}

    def verify(self, *, body: bytes, headers: Mapping[str, str], secret: str, settings: Any, now: datetime) -> None:
        given = required_header(headers, "X-Fake-Signature")
        expected = hmac.new(required_secret(secret).encode(), body, hashlib.sha256).hexdigest()
        if not signatures_match(expected, given):
            raise SignatureInvalid("signature does not match")

    def parse(
        self, *, body: bytes, headers: Mapping[str, str], content_type: str, default_tz: tzinfo | None = None
    ) -> ParsedDelivery:
        data = load_json_object(body)
        booking_id = get_id(data, "id")
        change = BookingChange(
            action="booked",
            booking_id=booking_id,
            start=parse_datetime(data.get("start"), "start"),
            end=parse_datetime(data.get("end"), "end"),
            client=Person(external_id=str(data["client_id"]), name=data["name"], email=data["email"], phone=""),
            service_name="Relaxing massage",
        )
        return ParsedDelivery(event_type="booking.created", dedupe_key=f"fakebook:{booking_id}", changes=(change,))


class Pigeon(Transport):
    """A channel that records what it would send; the first attempt at each message fails once."""

    sent: list[tuple[str, str]] = []
    failed_once: set[str] = set()

    def send(self, notification: Notification, rendered: Any) -> str:
        if str(notification.id) not in self.failed_once:
            self.failed_once.add(str(notification.id))
            raise TransportError("the pigeon did not come back")
        self.sent.append((notification.recipient, rendered.text))
        return f"pigeon-{len(self.sent)}"


@pytest.fixture
def fakebook() -> Iterator[None]:
    register_platform("fakebook", FakeBook)
    yield
    unregister_platform("fakebook")


@pytest.fixture
def pigeon() -> Iterator[type[Pigeon]]:
    Pigeon.sent, Pigeon.failed_once = [], set()
    register_transport("pigeon", Pigeon)
    yield Pigeon
    unregister_transport("pigeon")


def test_a_platform_registered_in_one_place_books_through_its_webhook(fakebook, api, clinic, post_hook):
    # The API offers it and checks its settings through the platform class.
    refused = api.post("/api/v1/integrations", {"platform": "fakebook", "signing_secret": "s3cret"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["attr"] == "settings.api_key"
    created = api.post(
        "/api/v1/integrations",
        {"platform": "fakebook", "signing_secret": "s3cret", "settings": {"api_key": "fb-key"}},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["webhook_url"].endswith(f"/hooks/fakebook/{created.json()['id']}/")

    from booking_integration.models import Integration

    integration = Integration.objects.get(pk=created.json()["id"])
    body = json.dumps(
        {
            "id": "fb-1",
            "start": "2031-05-06T09:00:00Z",
            "end": "2031-05-06T10:00:00Z",
            "client_id": "c-9",
            "name": "Sam Reed",
            "email": "sam@example.com",
        }
    ).encode()
    forged = post_hook(integration, body, headers={"X-Fake-Signature": "0" * 64})
    assert forged.status_code == 401
    signature = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    response = post_hook(integration, body, headers={"X-Fake-Signature": signature})
    assert response.status_code == 202
    assert InboundDelivery.objects.get(pk=response.json()["delivery_id"]).status == "processed"
    appointment = Appointment.objects.get(clinic=clinic, external_platform="fakebook", external_id="fb-1")
    assert appointment.client.email == "sam@example.com"
    assert appointment.screenings.count() == 1


def test_an_unregistered_platform_is_refused_by_name(api):
    response = api.post("/api/v1/integrations", {"platform": "fakebook", "signing_secret": "x"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "platform"


def test_a_transport_registered_in_one_place_sends_retries_and_records(pigeon, clinic, therapist, settings):
    appointment = AppointmentFactory(clinic=clinic, therapist=therapist)
    from service.flags import flag_raise

    flag = flag_raise(
        appointment=appointment,
        severity="warning",
        source="pre_session",
        kind="aggravation",
        reasons=[{"rule": "T", "outcome": "reschedule", "client_message": "c", "therapist_message": "t"}],
    )
    row = Notification.objects.create(
        clinic=clinic,
        channel="pigeon",
        purpose=NotificationPurpose.CLINIC_ALERT,
        recipient="loft 3",
        dedupe_key="pigeon-test",
        flag=flag,
        next_attempt_at=flag.created_at,
    )
    assert outbox.notifications_send(notification_ids=[row.id]) == {"retry": 1}
    row.refresh_from_db()
    assert (row.status, row.last_error) == ("pending", "the pigeon did not come back")

    Notification.objects.filter(pk=row.pk).update(next_attempt_at=flag.created_at)  # its wait is over
    assert outbox.notifications_send(notification_ids=[row.id]) == {"sent": 1}
    ((recipient, text),) = pigeon.sent
    assert recipient == "loft 3"
    assert f"/therapist/flags/{flag.id}" in text  # rendered as text, with the purpose's own context
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 2)
