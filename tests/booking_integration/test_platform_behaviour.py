"""Platforms as they really behave: repeated ids, rebooking after a cancel, no-shows, and the hold."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from booking_integration import holds
from booking_integration.models import InboundDelivery, PlatformHold, WebhookMessage
from booking_integration.outbound import endpoint_create
from service.appointments import appointment_book
from service.models import Appointment, Invitation
from service.screenings import clinic_policy
from tests.booking_integration.fakeapi import FakeApi, fixture_bytes, fixture_json
from tests.booking_integration.test_inbound_hooks import ACUITY_PATH, acuity_appointment

pytestmark = pytest.mark.usefixtures("inline_tasks")

CALCOM_FIRST_UID = "bFJeNb2uX8ENkHsRU5bFWS"


@pytest.fixture
def fake_api():
    with FakeApi() as api:
        api.add(ACUITY_PATH, acuity_appointment())
        yield api


def _appointment(clinic) -> Appointment:
    (appointment,) = Appointment.objects.filter(clinic=clinic)
    return appointment


def _outcomes(integration) -> list[str]:
    rows = InboundDelivery.objects.filter(integration=integration).order_by("received_at")
    return [change["outcome"] for row in rows for change in row.result.get("changes", [])]


# Acuity: the same body for every change of one appointment.


def test_two_reschedules_of_one_acuity_appointment_both_move_it(make_integration, post_hook, fake_api, clinic):
    integration = make_integration("acuity", api_base_url=fake_api.base_url)
    post_hook(integration, fixture_bytes("acuity/scheduled.txt"))
    body = fixture_bytes("acuity/rescheduled.txt")

    fake_api.add(ACUITY_PATH, acuity_appointment("2025-03-15T10:00:00+0000"))
    assert post_hook(integration, body).status_code == 202
    assert _appointment(clinic).start == datetime(2025, 3, 15, 10, tzinfo=UTC)

    fake_api.add(ACUITY_PATH, acuity_appointment("2025-03-18T16:30:00+0000"))
    assert post_hook(integration, body).status_code == 202  # byte-identical to the first reschedule
    moved = _appointment(clinic)
    assert moved.start == datetime(2025, 3, 18, 16, 30, tzinfo=UTC)
    assert _outcomes(integration) == ["booked", "rescheduled", "rescheduled"]
    post = moved.invitations.get(kind="post_session")
    hours = clinic_policy(clinic).post_session_hours
    assert post.scheduled_for == moved.end + timedelta(hours=hours)  # the follow-up follows the last move


def test_acuity_changed_follows_the_appointment_as_the_api_has_it(make_integration, post_hook, fake_api, clinic):
    integration = make_integration("acuity", api_base_url=fake_api.base_url)
    post_hook(integration, fixture_bytes("acuity/scheduled.txt"))
    cancelled = {**acuity_appointment(), "canceled": True}
    fake_api.add(ACUITY_PATH, cancelled)
    assert post_hook(integration, fixture_bytes("acuity/changed.txt")).status_code == 202
    assert _appointment(clinic).status == "cancelled"
    assert _outcomes(integration) == ["booked", "cancelled"]


# Cal.com: "request reschedule" cancels, then the client books a new time under a new uid.


def test_calcom_request_reschedule_then_rebooking_leaves_one_screened_booked_appointment(
    make_integration, post_hook, clinic
):
    integration = make_integration("calcom")
    assert post_hook(integration, fixture_bytes("calcom/booking_created.json")).status_code == 202
    first = _appointment(clinic)
    assert first.external_reschedule_url == f"https://app.cal.com/reschedule/{CALCOM_FIRST_UID}"

    cancel = fixture_json("calcom/booking_cancelled.json")
    cancel["payload"].update(uid=CALCOM_FIRST_UID, requestReschedule=True, cancellationReason="Please pick a new time")
    assert post_hook(integration, json.dumps(cancel).encode()).status_code == 202
    assert _appointment(clinic).status == "cancelled"
    assert "cancelled" in set(first.invitations.values_list("status", flat=True))

    # BOOKING_RESCHEDULED: a new uid, rescheduleUid the cancelled booking.
    assert post_hook(integration, fixture_bytes("calcom/booking_rescheduled.json")).status_code == 202
    rebooked = _appointment(clinic)
    assert rebooked.pk == first.pk
    assert (rebooked.status, rebooked.external_id) == ("booked", "q7Kc2vRmTz9sPWd1HnYxEa")
    assert rebooked.start == datetime(2025, 3, 15, 10, tzinfo=UTC)
    assert rebooked.screenings.count() == 2  # screened again for the new booking
    follow_up = rebooked.invitations.get(kind="post_session")
    assert follow_up.status == "scheduled"  # asked again after the new time (the pre-session one: past)
    assert follow_up.scheduled_for == rebooked.end + timedelta(hours=clinic_policy(clinic).post_session_hours)
    assert _outcomes(integration) == ["booked", "cancelled", "rebooked"]


def test_calcom_meeting_ended_completes_and_a_no_show_mark_is_kept(make_integration, post_hook, clinic):
    integration = make_integration("calcom")
    post_hook(integration, fixture_bytes("calcom/booking_created.json"))
    no_show = {
        "triggerEvent": "BOOKING_NO_SHOW_UPDATED",
        "createdAt": "2025-03-14T16:10:00.000Z",
        "payload": {
            "message": "Sam Rivers marked as no-show",
            "bookingUid": CALCOM_FIRST_UID,
            "bookingId": 48229,
            "attendees": [{"email": "sam.rivers@example.com", "noShow": True}],
        },
    }
    assert post_hook(integration, json.dumps(no_show).encode()).status_code == 202
    assert _appointment(clinic).status == "no_show"

    ended = fixture_json("calcom/meeting_ended.json")
    ended["payload"]["uid"] = CALCOM_FIRST_UID
    assert post_hook(integration, json.dumps(ended).encode()).status_code == 202
    assert _appointment(clinic).status == "completed"  # the session did happen after all
    assert _outcomes(integration) == ["booked", "no_show", "completed"]


# Calendly: a reschedule is a pair (invitee.canceled with rescheduled, invitee.created with old_invitee).


def test_calendly_reschedule_pair_in_either_order_moves_one_appointment(make_integration, post_hook, clinic):
    integration = make_integration("calendly")
    post_hook(integration, fixture_bytes("calendly/invitee_created.json"))
    post_hook(integration, fixture_bytes("calendly/invitee_created_rescheduled.json"))  # the new one first
    post_hook(integration, fixture_bytes("calendly/invitee_canceled_for_reschedule.json"))
    moved = _appointment(clinic)
    assert moved.status == "booked"
    assert moved.start == datetime(2025, 3, 15, 10, tzinfo=UTC)
    assert moved.external_reschedule_url.startswith("https://calendly.com/reschedulings/")


def test_calendly_no_show_marks_the_appointment(make_integration, post_hook, clinic):
    integration = make_integration("calendly")
    post_hook(integration, fixture_bytes("calendly/invitee_created.json"))
    invitee = fixture_json("calendly/invitee_created.json")["payload"]["uri"]
    no_show = {
        "event": "invitee_no_show.created",
        "created_at": "2025-03-14T16:20:00.000000Z",
        "payload": {"uri": "https://api.calendly.com/invitee_no_shows/NS1", "invitee": invitee},
    }
    assert post_hook(integration, json.dumps(no_show).encode()).status_code == 202
    assert _appointment(clinic).status == "no_show"


# Holding a risky booking on the platform.

RISKY = {"has_sciatica": True, "pain_below_knee": True, "bladder_change": True}
BOOKING_IDS = {
    "calcom": CALCOM_FIRST_UID,
    "calendly": "https://api.calendly.com/scheduled_events/GBGBDCAADAEDCRZ2/invitees/AAAAAAAAAAAAAAAA",
    "acuity": "1046593215",
    "square": "m4xj1k3l9pbq2e",
}
# What each platform documents for its cancel call: method, path, auth and the body's reason field.
CANCEL_CALLS = {
    "calcom": ("POST", f"/v2/bookings/{CALCOM_FIRST_UID}/cancel", "Bearer hold-key", "cancellationReason"),
    "calendly": ("POST", "/scheduled_events/GBGBDCAADAEDCRZ2/cancellation", "Bearer hold-key", "reason"),
    "acuity": ("PUT", "/api/v1/appointments/1046593215/cancel", "Basic", "cancelNote"),
    "square": ("POST", "/v2/bookings/m4xj1k3l9pbq2e/cancel", "Bearer hold-key", "idempotency_key"),
}


def _risky_booking(clinic, platform: str) -> Appointment:
    return appointment_book(
        clinic=clinic,
        client={"name": "Sam Rivers", "email": "sam.rivers@example.com"},
        therapist=None,
        service={"name": "Deep tissue", "pressure": "deep", "duration_minutes": 60},
        start=datetime(2031, 3, 14, 15, tzinfo=UTC),
        end=datetime(2031, 3, 14, 16, tzinfo=UTC),
        answers=RISKY,
        external_platform=platform,
        external_id=BOOKING_IDS[platform],
    )


@pytest.mark.parametrize("platform", list(CANCEL_CALLS))
def test_the_hold_cancels_on_each_platform_as_it_documents(platform, make_integration, clinic, api):
    endpoint_create(clinic=clinic, url="https://booking.example/hooks", events=["booking.cancelled_on_platform"])
    method, path, auth, reason_field = CANCEL_CALLS[platform]
    with FakeApi() as fake:
        fake.add(path, {"status": "success"}, method=method)
        integration = make_integration(platform, api_base_url=fake.base_url, api_key="hold-key", on_hold="cancel")
        appointment = _risky_booking(clinic, platform)
        assert appointment.latest_screening.outcome == "refer_urgently"
        assert holds.hold_if_risky(integration=integration, appointment=appointment) == "pending"
        hold = PlatformHold.objects.get(appointment=appointment)
        assert holds.hold_attempt(hold.pk) == "cancelled"
        (call,) = fake.requests
    assert (call.method, call.path) == (method, path)
    assert call.headers["authorization"].startswith(auth)
    body = json.loads(call.body)
    assert body[reason_field]
    if reason_field != "idempotency_key":
        assert "will be in touch" in body[reason_field]
        assert "bladder" not in body[reason_field].lower()  # no condition named
    appointment.refresh_from_db()
    assert (appointment.status, appointment.platform_hold) == ("cancelled", "cancelled")
    assert api.get(f"/api/v1/appointments/{appointment.pk}").json()["external"]["hold"]["status"] == "cancelled"
    message = WebhookMessage.objects.get(event_type="booking.cancelled_on_platform")
    assert message.payload["data"]["appointment_id"] == str(appointment.pk)


def test_a_failing_platform_is_retried_then_shown(make_integration, clinic, api, django_capture_on_commit_callbacks):
    with FakeApi() as fake:
        path = f"/v2/bookings/{CALCOM_FIRST_UID}/cancel"
        fake.add(path, {"error": "busy"}, status=503, method="POST")
        integration = make_integration("calcom", api_base_url=fake.base_url, api_key="hold-key", on_hold="cancel")
        appointment = _risky_booking(clinic, "calcom")
        holds.hold_if_risky(integration=integration, appointment=appointment)
        hold = PlatformHold.objects.get()
        assert holds.hold_attempt(hold.pk) == "retry"
        hold.refresh_from_db()
        assert hold.attempts == 1
        assert "HTTP 503" in hold.last_error
        assert holds.hold_attempt(hold.pk) == "not claimed"  # not due yet
        shown = api.get(f"/api/v1/appointments/{appointment.pk}").json()["external"]["hold"]
        assert shown["status"] == "pending"
        assert "503" in shown["error"]

        fake.add(path, {"status": "success"}, method="POST")
        PlatformHold.objects.filter(pk=hold.pk).update(next_attempt_at=hold.created_at)  # its wait is over
        with django_capture_on_commit_callbacks(execute=True):
            assert holds.holds_sweep() == 1  # queued after commit (and run here)
    hold.refresh_from_db()
    assert (hold.status, hold.attempts) == ("cancelled", 2)


def test_a_refused_cancel_fails_for_good_and_the_booking_stays(make_integration, clinic):
    with FakeApi() as fake:
        fake.add(f"/v2/bookings/{CALCOM_FIRST_UID}/cancel", {"error": "not found"}, status=404, method="POST")
        integration = make_integration("calcom", api_base_url=fake.base_url, api_key="hold-key", on_hold="cancel")
        appointment = _risky_booking(clinic, "calcom")
        holds.hold_if_risky(integration=integration, appointment=appointment)
        assert holds.hold_attempt(PlatformHold.objects.get().pk) == "failed"
    appointment.refresh_from_db()
    assert (appointment.status, appointment.platform_hold) == ("booked", "failed")


def test_a_risky_booking_from_the_webhook_is_held_and_the_delivery_shows_it(
    make_integration, post_hook, clinic, django_capture_on_commit_callbacks
):
    body = fixture_json("calcom/booking_created.json")
    body["payload"]["responses"]["bladder"]["value"] = "Yes"
    with FakeApi() as fake:
        fake.add(f"/v2/bookings/{CALCOM_FIRST_UID}/cancel", {"status": "success"}, method="POST")
        integration = make_integration("calcom", api_base_url=fake.base_url, api_key="hold-key", on_hold="cancel")
        response = post_hook(integration, json.dumps(body).encode())
        assert len(fake.requests) == 1
    delivery = InboundDelivery.objects.get(pk=response.json()["delivery_id"])
    assert delivery.result["changes"][0]["hold"] == "pending"
    assert delivery.result["hold"] == {"status": "cancelled", "error": ""}
    assert _appointment(clinic).status == "cancelled"


def test_mindbody_cannot_hold_and_says_so(make_integration, api):
    response = api.post(
        "/api/v1/integrations",
        {"platform": "mindbody", "signing_secret": "s", "settings": {"on_hold": "cancel"}},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "settings.on_hold"


def test_on_hold_cancel_needs_the_platform_api_key(api):
    response = api.post(
        "/api/v1/integrations",
        {"platform": "calcom", "signing_secret": "s", "settings": {"on_hold": "cancel"}},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "settings.api_key"


def test_invitations_of_a_rebooked_appointment_follow_it(make_integration, post_hook, clinic):
    # (Invitation rows are re-used: one pre-session and one follow-up per appointment.)
    integration = make_integration("calcom")
    post_hook(integration, fixture_bytes("calcom/booking_created.json"))
    cancel = fixture_json("calcom/booking_cancelled.json")
    cancel["payload"]["uid"] = CALCOM_FIRST_UID
    post_hook(integration, json.dumps(cancel).encode())
    post_hook(integration, fixture_bytes("calcom/booking_rescheduled.json"))
    assert Invitation.objects.filter(appointment__clinic=clinic).count() == 2
