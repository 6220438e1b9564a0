"""Each platform through the real /hooks/ URL: bookings act on appointments, forgeries are refused and kept."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime

import pytest

from booking_integration.models import InboundDelivery
from service.models import Appointment, Screening
from tests.booking_integration.conftest import hook_url, sign
from tests.booking_integration.fakeapi import FakeApi, fixture_bytes, fixture_json

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("inline_tasks")]

# created, rescheduled, cancelled: the same booking's life on each platform.
FLOWS = {
    "calcom": ("calcom/booking_created.json", "calcom/booking_rescheduled.json", "calcom/booking_cancelled.json"),
    "calendly": (
        "calendly/invitee_created.json",
        "calendly/invitee_created_rescheduled.json",
        "calendly/invitee_canceled.json",
    ),
    "acuity": ("acuity/scheduled.txt", "acuity/rescheduled.txt", "acuity/canceled.txt"),
    "square": (
        "square/booking_created.json",
        "square/booking_updated_rescheduled.json",
        "square/booking_updated_cancelled.json",
    ),
    "mindbody": (
        "mindbody/appointment_created.json",
        "mindbody/appointment_updated.json",
        "mindbody/appointment_cancelled.json",
    ),
    "standard": (
        "standard/appointment_booked.json",
        "standard/appointment_rescheduled.json",
        "standard/appointment_cancelled.json",
    ),
}
PLATFORMS = tuple(FLOWS)
FIRST_START = datetime(2025, 3, 14, 15, tzinfo=UTC)
MOVED_START = datetime(2025, 3, 15, 10, tzinfo=UTC)
ACUITY_PATH = "/api/v1/appointments/1046593215"
SQUARE_CUSTOMER_PATH = "/v2/customers/JDKYHBWT1D4F8MFH63DBMEN8Y4"


def acuity_appointment(start: str = "2025-03-14T15:00:00+0000") -> dict:
    appointment = fixture_json("acuity/appointment.json")
    appointment["datetime"] = start
    return appointment


@pytest.fixture
def fake_api():
    """Plays the Acuity appointments API and the Square customers API."""
    with FakeApi() as api:
        api.add(ACUITY_PATH, acuity_appointment())
        api.add(SQUARE_CUSTOMER_PATH, fixture_json("square/customer.json"))
        yield api


@pytest.fixture
def integration_for(make_integration, fake_api):
    def make(platform: str, **settings):
        if platform in ("acuity", "square"):
            settings.setdefault("api_base_url", fake_api.base_url)
        return make_integration(platform, **settings)

    return make


def the_appointment(integration) -> Appointment:
    # Standard Webhooks senders keep their own platform name (data.external.platform), so not by platform.
    (appointment,) = Appointment.objects.filter(clinic=integration.clinic).exclude(external_id="")
    return appointment


@pytest.mark.parametrize("platform", PLATFORMS)
def test_booked_then_rescheduled_then_cancelled_act_on_one_appointment(platform, integration_for, post_hook, fake_api):
    integration = integration_for(platform)
    created, rescheduled, cancelled = FLOWS[platform]

    response = post_hook(integration, fixture_bytes(created))
    assert response.status_code == 202, response.content
    appointment = the_appointment(integration)
    assert appointment.status == "booked"
    assert appointment.start == FIRST_START
    assert appointment.client.email == "sam.rivers@example.com"
    assert appointment.latest_screening is not None
    delivery = InboundDelivery.objects.get(pk=response.json()["delivery_id"])
    assert delivery.status == "processed", delivery.error
    assert delivery.signature_ok
    assert delivery.result["changes"][0]["outcome"] == "booked"

    if platform == "calendly":
        # The first half of Calendly's reschedule pair must not cancel the appointment.
        response = post_hook(integration, fixture_bytes("calendly/invitee_canceled_for_reschedule.json"))
        assert response.status_code == 200
        assert the_appointment(integration).status == "booked"
    if platform == "acuity":
        fake_api.add(ACUITY_PATH, acuity_appointment("2025-03-15T10:00:00+0000"))

    response = post_hook(integration, fixture_bytes(rescheduled))
    assert response.status_code == 202, response.content
    moved = the_appointment(integration)
    assert moved.pk == appointment.pk
    assert (moved.start, moved.status) == (MOVED_START, "booked")
    assert moved.screenings.count() == 2

    response = post_hook(integration, fixture_bytes(cancelled))
    assert response.status_code == 202, response.content
    assert the_appointment(integration).status == "cancelled"
    assert set(InboundDelivery.objects.filter(integration=integration).values_list("status", flat=True)) <= {
        "processed",
        "ignored",
    }


@pytest.mark.parametrize("platform", [p for p in PLATFORMS if p != "acuity"])
def test_the_same_delivery_twice_acts_once(platform, integration_for, post_hook):
    integration = integration_for(platform)
    body = fixture_bytes(FLOWS[platform][0])
    headers = sign(platform, body)

    first = post_hook(integration, body, headers)
    second = post_hook(integration, body, headers)

    assert first.status_code == 202
    assert second.status_code == 200
    assert second.json()["status"] == "duplicate"
    assert Appointment.objects.filter(clinic=integration.clinic).count() == 1
    assert Screening.objects.filter(clinic=integration.clinic).count() == 1
    statuses = sorted(InboundDelivery.objects.filter(integration=integration).values_list("status", flat=True))
    assert statuses == ["duplicate", "processed"]


def test_acuity_acts_on_every_delivery_and_a_repeat_changes_nothing(integration_for, post_hook):
    # Acuity's body is only an id: the same bytes for every change of one appointment, so none is
    # dropped as a duplicate; acting again fetches the same state and changes nothing.
    integration = integration_for("acuity")
    body = fixture_bytes(FLOWS["acuity"][0])
    first, second = post_hook(integration, body), post_hook(integration, body)
    assert (first.status_code, second.status_code) == (202, 202)
    results = [d.result["changes"][0]["outcome"] for d in InboundDelivery.objects.order_by("received_at")]
    assert results == ["booked", "unchanged"]
    assert Appointment.objects.filter(clinic=integration.clinic).count() == 1
    assert Screening.objects.filter(clinic=integration.clinic).count() == 1


def _one_byte_changed(body: bytes) -> bytes:
    """The first digit in the body (a date, an id) changed to another digit."""
    index = re.search(rb"\d", body).start()
    return body[:index] + bytes([body[index] ^ 1]) + body[index + 1 :]


REFUSALS = [(platform, case) for platform in PLATFORMS for case in ("wrong", "missing", "one_byte_changed")] + [
    ("calendly", "stale"),
    ("standard", "stale"),
]


@pytest.mark.parametrize(("platform", "case"), REFUSALS)
def test_forged_or_stale_delivery_is_refused_with_401_and_stored(platform, case, integration_for, post_hook):
    integration = integration_for(platform)
    body = fixture_bytes(FLOWS[platform][0])
    if case == "wrong":
        headers = sign(
            platform, body, secret="whsec_" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB" if platform == "standard" else "x"
        )
    elif case == "missing":
        headers = {}
    elif case == "stale":
        headers = sign(platform, body, at=time.time() - 6 * 60)
    else:
        headers = sign(platform, body)
        body = _one_byte_changed(body)

    response = post_hook(integration, body, headers)

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 401
    (delivery,) = InboundDelivery.objects.filter(integration=integration)
    assert delivery.status == "refused"
    assert delivery.signature_ok is False
    assert bytes(delivery.body) == body
    assert delivery.error
    assert not Appointment.objects.filter(clinic=integration.clinic).exists()


MALFORMED = {
    "calcom": (b"triggerEvent=BOOKING_CREATED&uid=x", "application/x-www-form-urlencoded", "template must stay JSON"),
    "calendly": (b'{"event": "invitee.created"', "application/json", "not valid JSON"),
    "acuity": (b"no-equals-sign", "application/x-www-form-urlencoded", "form-encoded"),
    "square": (b"[1, 2, 3]", "application/json", "JSON object"),
    "mindbody": (b'{"messageId": "m1", "eventId": "appointmentBooking.created"}', "application/json", "eventData"),
    "standard": (b'{"type": "appointment.booked", "data": "nope"}', "application/json", "data"),
}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_malformed_body_is_answered_400_and_kept(platform, integration_for, post_hook):
    integration = integration_for(platform)
    body, content_type, words = MALFORMED[platform]

    response = post_hook(integration, body, sign(platform, body), content_type=content_type)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert words in response.json()["detail"]
    (delivery,) = InboundDelivery.objects.filter(integration=integration)
    assert (delivery.status, bytes(delivery.body), delivery.signature_ok) == ("malformed", body, True)
    assert words in delivery.error


def test_valid_event_we_do_not_use_is_stored_as_ignored_with_200(integration_for, post_hook):
    integration = integration_for("calcom")
    body = fixture_bytes("calcom/meeting_ended.json").replace(b'"MEETING_ENDED"', b'"BOOKING_REQUESTED"')

    response = post_hook(integration, body)

    assert response.status_code == 200
    (delivery,) = InboundDelivery.objects.filter(integration=integration)
    assert delivery.status == "ignored"
    assert delivery.event_type == "BOOKING_REQUESTED"
    assert "ignored" in delivery.result


def test_mindbody_url_check_with_head_is_answered_200(integration_for, client):
    integration = integration_for("mindbody")

    assert client.head(hook_url(integration)).status_code == 200
    assert (
        client.head(hook_url(integration).replace(str(integration.id), str(integration.clinic.id))).status_code == 404
    )


def test_unknown_integration_or_wrong_platform_is_404(integration_for, post_hook, client):
    integration = integration_for("calcom")
    body = fixture_bytes("calcom/booking_created.json")

    wrong_platform = client.post(
        hook_url(integration).replace("/calcom/", "/calendly/"),
        data=body,
        content_type="application/json",
        headers=sign("calcom", body),
    )
    integration.active = False
    integration.save()
    deleted = post_hook(integration, body)

    assert wrong_platform.status_code == 404
    assert wrong_platform["Content-Type"] == "application/problem+json"
    assert deleted.status_code == 404
    assert not InboundDelivery.objects.exists()


def test_only_the_platforms_headers_are_stored(integration_for, post_hook):
    integration = integration_for("calcom")
    body = fixture_bytes("calcom/booking_created.json")

    post_hook(integration, body, {**sign("calcom", body), "Authorization": "Bearer secret-token", "Cookie": "a=b"})

    delivery = InboundDelivery.objects.get(integration=integration)
    assert set(delivery.headers) <= {"x-cal-signature-256", "content-type", "user-agent"}
    assert "x-cal-signature-256" in delivery.headers


def test_form_answers_become_answer_keys_and_settings_pick_therapist_and_pressure(
    integration_for, post_hook, therapist
):
    integration = integration_for("calcom", staff={"3021": str(therapist.pk)}, service_pressure={"912": "deep"})

    post_hook(integration, fixture_bytes("calcom/booking_created.json"))

    appointment = the_appointment(integration)
    assert appointment.booking_answers == {"has_sciatica": True, "leg_pain_now": 6, "bladder_change": False}
    assert appointment.therapist == therapist
    assert appointment.service_pressure == "deep"


def test_without_maps_a_therapist_is_matched_or_created_and_pressure_is_medium(integration_for, post_hook):
    integration = integration_for("mindbody")

    post_hook(integration, fixture_bytes("mindbody/appointment_created.json"))

    appointment = the_appointment(integration)
    assert appointment.therapist.name == "Maya Patel"
    assert {r.platform: r.external_id for r in appointment.therapist.external_refs.all()} == {"mindbody": "12"}
    assert {r.platform: r.external_id for r in appointment.client.external_refs.all()} == {"mindbody": "100000042"}
    assert appointment.service_pressure == "medium"


def test_odd_answers_are_dropped_and_recorded_but_the_booking_is_kept(integration_for, post_hook):
    integration = integration_for("standard")
    body = json.loads(fixture_bytes("standard/appointment_booked.json"))
    body["data"]["answers"] = {"leg_pain_now": "a lot", "made_up_key": True, "has_sciatica": True}
    raw = json.dumps(body).encode()

    response = post_hook(integration, raw)

    assert response.status_code == 202
    appointment = the_appointment(integration)
    assert appointment.booking_answers == {"has_sciatica": True}
    delivery = InboundDelivery.objects.get(pk=response.json()["delivery_id"])
    dropped = {item["attr"] for item in delivery.result["changes"][0]["dropped_answers"]}
    assert dropped == {"answers.leg_pain_now", "answers.made_up_key"}
    assert "a lot" not in json.dumps(delivery.result)  # never the answer itself


def test_acuity_changed_twice_does_nothing_twice(integration_for, post_hook, fake_api):
    integration = integration_for("acuity")
    post_hook(integration, fixture_bytes("acuity/scheduled.txt"))

    first = post_hook(integration, fixture_bytes("acuity/changed.txt"))
    # The same change again, told as `rescheduled`: nothing moved, nothing screened again.
    second = post_hook(integration, fixture_bytes("acuity/rescheduled.txt"))

    appointment = the_appointment(integration)
    assert appointment.start == FIRST_START
    assert appointment.screenings.count() == 1
    for response in (first, second):
        delivery = InboundDelivery.objects.get(pk=response.json()["delivery_id"])
        assert delivery.result["changes"][0]["outcome"] == "unchanged"
    auth = [r.headers["authorization"] for r in fake_api.requests if r.path == ACUITY_PATH]
    assert auth
    assert all(a.startswith("Basic ") for a in auth)


def test_acuity_cancel_needs_no_fetch(integration_for, post_hook, fake_api):
    integration = integration_for("acuity")
    post_hook(integration, fixture_bytes("acuity/scheduled.txt"))
    fake_api.add(ACUITY_PATH, {"message": "down"}, status=503)

    response = post_hook(integration, fixture_bytes("acuity/canceled.txt"))

    assert InboundDelivery.objects.get(pk=response.json()["delivery_id"]).status == "processed"
    assert the_appointment(integration).status == "cancelled"


def test_square_older_version_is_ignored(integration_for, post_hook, fake_api):
    integration = integration_for("square")
    post_hook(integration, fixture_bytes("square/booking_created.json"))
    post_hook(integration, fixture_bytes("square/booking_updated_cancelled.json"))  # version 2

    late = post_hook(integration, fixture_bytes("square/booking_updated_rescheduled.json"))  # version 1

    appointment = the_appointment(integration)
    assert (appointment.status, appointment.start, appointment.external_version) == ("cancelled", FIRST_START, 2)
    delivery = InboundDelivery.objects.get(pk=late.json()["delivery_id"])
    assert delivery.result["changes"][0]["outcome"] == "ignored"
    customer_calls = [r for r in fake_api.requests if r.path == SQUARE_CUSTOMER_PATH]
    assert len(customer_calls) == 1  # fetched to book; a known booking's update needs no fetch
    assert customer_calls[0].headers["authorization"] == "Bearer square-access-token"
    assert appointment.end == datetime(2025, 3, 14, 16, tzinfo=UTC)  # 45 + 15 minutes of segments


def test_a_reschedule_of_a_booking_never_seen_books_it(integration_for, post_hook):
    integration = integration_for("calcom")

    post_hook(integration, fixture_bytes("calcom/booking_rescheduled.json"))

    appointment = the_appointment(integration)
    assert (appointment.external_id, appointment.start) == ("q7Kc2vRmTz9sPWd1HnYxEa", MOVED_START)


def test_a_cancel_of_an_unknown_booking_is_recorded_and_harmless(integration_for, post_hook):
    integration = integration_for("calcom")

    response = post_hook(integration, fixture_bytes("calcom/booking_cancelled.json"))

    delivery = InboundDelivery.objects.get(pk=response.json()["delivery_id"])
    assert delivery.status == "processed"
    assert delivery.result["changes"][0]["outcome"] == "ignored"
    assert not Appointment.objects.exists()


def test_two_deliveries_booking_the_same_booking_at_once_apply_both_without_a_second_appointment(
    integration_for, post_hook, monkeypatch, django_capture_on_commit_callbacks
):
    from booking_integration import inbound
    from tests.factories import AppointmentFactory

    integration = integration_for("calcom")
    queued = []
    monkeypatch.setattr(inbound, "queue_processing", lambda delivery_id, countdown=None: queued.append(countdown))
    response = post_hook(integration, fixture_bytes("calcom/booking_created.json"))
    delivery_id = response.json()["delivery_id"]
    # Another worker books it between this one's lookup and its insert.
    monkeypatch.setattr(inbound, "_find", lambda *args: None)
    AppointmentFactory(clinic=integration.clinic, external_platform="calcom", external_id="bFJeNb2uX8ENkHsRU5bFWS")

    with django_capture_on_commit_callbacks(execute=True):
        assert inbound.delivery_process(delivery_id) == "received"
    delivery = InboundDelivery.objects.get(pk=delivery_id)
    assert "at the same moment" in delivery.error
    assert queued == [None, inbound.RETRY_SOON_SECONDS]

    monkeypatch.undo()
    assert inbound.delivery_process(delivery_id) == "processed"
    assert Appointment.objects.filter(external_id="bFJeNb2uX8ENkHsRU5bFWS").count() == 1


def test_standard_deliveries_find_a_booking_made_through_the_api_under_the_senders_platform(
    integration_for, post_hook, api
):
    integration = integration_for("standard")
    booked = api.post(
        "/api/v1/appointments",
        {
            "client": {"name": "Sam Rivers", "email": "sam.rivers@example.com"},
            "service": {"name": "Remedial massage", "pressure": "medium", "duration_minutes": 60},
            "start": "2030-03-14T15:00:00+00:00",
            "end": "2030-03-14T16:00:00+00:00",
            "external": {"platform": "clinicsoft", "id": "APT-88121"},
        },
        format="json",
    )
    assert booked.status_code == 201

    response = post_hook(integration, fixture_bytes("standard/appointment_cancelled.json"))

    assert response.status_code == 202
    appointment = Appointment.objects.get(pk=booked.json()["id"])
    assert appointment.status == "cancelled"
    assert Appointment.objects.count() == 1
