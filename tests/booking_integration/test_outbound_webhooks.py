"""Outbound webhooks: endpoints API, events written with the change, signed sends, retries, disabling."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import override_settings
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from booking_integration import outbound
from booking_integration.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookMessage
from service.flags import flag_acknowledge, flag_raise
from service.models import Appointment, Notification
from tests.booking_integration.fakeapi import fixture_bytes
from tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/webhook-endpoints"
EVENTS = ["appointment.flagged", "flag.acknowledged", "screening.completed"]
REASONS = [{"rule": "RF-DVT", "outcome": "refer_urgently", "client_message": "c", "therapist_message": "t"}]


def make_endpoint(clinic, url="https://booking.example/hook", events=None, **fields) -> WebhookEndpoint:
    return outbound.endpoint_create(clinic=clinic, url=url, events=events or EVENTS, **fields)


def raise_flag(clinic, severity="warning"):
    booking_id = f"bk_{Appointment.objects.count() + 1}"
    appointment = AppointmentFactory(clinic=clinic, external_platform="calcom", external_id=booking_id)
    return flag_raise(appointment=appointment, severity=severity, source="screening", kind="screening", reasons=REASONS)


# The endpoints API.


def test_create_shows_the_secret_once(api):
    body = {"url": "https://booking.example/hook", "events": EVENTS, "description": "desk"}
    response = api.post(URL, body, format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    assert data["secret"].startswith("whsec_")
    Webhook(data["secret"])  # a usable Standard Webhooks secret
    assert "secret" not in api.get(f"{URL}/{data['id']}").json()
    assert all("secret" not in item for item in api.get(URL).json()["results"])
    assert data["events"] == EVENTS
    assert data["active"] is True


def test_update_and_delete(api, clinic):
    endpoint = make_endpoint(clinic)

    changed = api.patch(f"{URL}/{endpoint.id}", {"events": ["flag.resolved"], "description": "new"}, format="json")
    assert changed.status_code == 200
    assert changed.json()["events"] == ["flag.resolved"]

    assert api.delete(f"{URL}/{endpoint.id}").status_code == 204
    assert not WebhookEndpoint.objects.filter(pk=endpoint.id).exists()


def test_turning_a_disabled_endpoint_back_on_forgets_its_failures(api, clinic):
    endpoint = make_endpoint(clinic)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        active=False, disabled_reason="It failed for 5 days in a row.", failing_since=timezone.now()
    )

    data = api.patch(f"{URL}/{endpoint.id}", {"active": True}, format="json").json()

    assert (data["active"], data["disabled_reason"], data["failing_since"]) == (True, "", None)


@pytest.mark.parametrize(
    ("body", "attr"),
    [
        ({"url": "https://booking.example/hook", "events": ["booking.eaten"]}, "events"),
        ({"url": "https://booking.example/hook", "events": []}, "events"),
        ({"url": "not a url", "events": EVENTS}, "url"),
        ({"events": EVENTS}, "url"),
    ],
)
def test_create_names_each_bad_field(api, body, attr):
    response = api.post(URL, body, format="json")

    assert response.status_code == 400
    assert {e["attr"].split(".")[0] for e in response.json()["errors"]} == {attr}


@override_settings(ALLOW_PRIVATE_WEBHOOK_URLS=False)
@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8000/hook", "http://10.1.2.3/hook", "http://169.254.169.254/latest/meta-data", "http://[::1]/x"],
)
def test_private_loopback_and_link_local_urls_are_refused(api, clinic, url):
    created = api.post(URL, {"url": url, "events": EVENTS}, format="json")
    endpoint = make_endpoint(clinic)
    changed = api.patch(f"{URL}/{endpoint.id}", {"url": url}, format="json")

    for response in (created, changed):
        assert response.status_code == 400
        assert [e["attr"] for e in response.json()["errors"]] == ["url"]


def test_rotate_secret_returns_the_new_one_and_both_sign_for_a_while(api, clinic):
    endpoint = make_endpoint(clinic)
    old = endpoint.secret

    response = api.post(f"{URL}/{endpoint.id}/rotate-secret")

    assert response.status_code == 200
    new = response.json()["secret"]
    assert new.startswith("whsec_")
    assert new != old
    endpoint.refresh_from_db()
    body = b'{"type":"flag.resolved"}'
    now = timezone.now()
    headers = outbound.signature_headers(endpoint, "msg_1", body, now)
    Webhook(new).verify(body, headers)
    Webhook(old).verify(body, headers)
    later = outbound.signature_headers(endpoint, "msg_1", body, now + outbound.SECRET_GRACE)
    assert len(later["webhook-signature"].split(" ")) == 1


def test_another_clinic_gets_404_on_every_verb(other_api, clinic):
    endpoint = make_endpoint(clinic)
    flag = raise_flag(clinic)
    delivery = WebhookDelivery.objects.get(message__event_type="appointment.flagged", endpoint=endpoint)
    base = f"{URL}/{endpoint.id}"

    assert flag is not None
    assert other_api.get(base).status_code == 404
    assert other_api.patch(base, {"description": "x"}, format="json").status_code == 404
    assert other_api.delete(base).status_code == 404
    assert other_api.post(f"{base}/rotate-secret").status_code == 404
    assert other_api.get(f"{base}/deliveries").status_code == 404
    assert other_api.get(f"/api/v1/webhook-deliveries/{delivery.id}").status_code == 404
    assert other_api.post(f"/api/v1/webhook-deliveries/{delivery.id}/redeliver").status_code == 404
    assert other_api.get(URL).json()["results"] == []
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).description == ""


# Events are written in the transaction of the change (an outbox).


def test_a_warning_flag_writes_one_message_and_a_delivery_per_subscribed_endpoint(clinic, other_clinic):
    subscribed = make_endpoint(clinic)
    also = make_endpoint(clinic, url="https://second.example/hook", events=["appointment.flagged"])
    make_endpoint(clinic, url="https://third.example/hook", events=["flag.resolved"])  # not subscribed
    make_endpoint(other_clinic)  # another clinic's
    WebhookEndpoint.objects.create(clinic=clinic, url="https://off.example/", events=EVENTS, active=False)

    flag = raise_flag(clinic)

    (message,) = WebhookMessage.objects.filter(event_type="appointment.flagged")
    assert {d.endpoint_id for d in message.deliveries.all()} == {subscribed.id, also.id}
    assert message.id.startswith("msg_")
    payload = message.payload
    assert payload["type"] == "appointment.flagged"
    assert payload["data"]["id"] == str(flag.id)
    assert payload["data"]["severity"] == "warning"
    assert payload["data"]["external"] == {"platform": "calcom", "id": flag.appointment.external_id}


def test_info_flags_and_unsubscribed_events_write_nothing(clinic):
    make_endpoint(clinic, events=["flag.resolved"])

    flag = raise_flag(clinic, severity="info")
    flag_acknowledge(flag=flag, note="seen")

    assert not WebhookMessage.objects.exists()


def test_acknowledging_a_flag_sends_flag_acknowledged(clinic):
    make_endpoint(clinic)
    flag = raise_flag(clinic)

    flag_acknowledge(flag=flag, note="called the client")

    message = WebhookMessage.objects.get(event_type="flag.acknowledged")
    assert message.payload["data"]["status"] == "acknowledged"


@pytest.mark.usefixtures("inline_tasks")
def test_a_booking_from_a_platform_sends_screening_completed_without_answers(
    clinic, make_integration, post_hook, receiver_factory, django_capture_on_commit_callbacks
):
    receiver = receiver_factory()
    endpoint = make_endpoint(clinic, url=receiver.url, events=["screening.completed"])
    receiver.secret = endpoint.secret
    integration = make_integration("calcom")

    post_hook(integration, fixture_bytes("calcom/booking_created.json"))

    (request,) = receiver.requests
    assert request["verified"]
    body = json.loads(request["body"])
    assert body["type"] == "screening.completed"
    assert set(body) == {"type", "timestamp", "data"}
    data = body["data"]
    assert {"outcome", "reasons", "modifications", "appointment_id"} <= set(data)
    assert data["external"] == {"platform": "calcom", "id": "bFJeNb2uX8ENkHsRU5bFWS"}
    assert "answers" not in data
    assert "leg_pain_now" not in request["body"].decode()


# Sending.


def _deliver(delivery) -> str:
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    return outbound.delivery_send(delivery.pk)


@pytest.fixture
def flagged(clinic, receiver_factory):
    """An endpoint at a local receiver, and one appointment.flagged delivery for it (not yet sent)."""

    def make(*statuses: int, body: bytes = b"ok"):
        receiver = receiver_factory(list(statuses), body=body)
        endpoint = make_endpoint(clinic, url=receiver.url)
        receiver.secret = endpoint.secret
        raise_flag(clinic)
        return receiver, endpoint, WebhookDelivery.objects.get(endpoint=endpoint)

    return make


def test_a_signed_event_is_delivered_and_the_attempt_recorded(flagged):
    receiver, _endpoint, delivery = flagged(200)

    assert _deliver(delivery) == "succeeded"

    (request,) = receiver.requests
    assert request["verified"]
    assert request["headers"]["webhook-id"] == delivery.message_id
    assert request["headers"]["content-type"] == "application/json"
    assert json.loads(request["body"]) == delivery.message.payload
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempt_count, delivery.last_status_code) == ("succeeded", 1, 200)
    (attempt,) = delivery.attempts.all()
    assert (attempt.status_code, attempt.response_body, attempt.error) == (200, "ok", "")


def test_a_failure_is_retried_on_the_schedule_with_the_same_webhook_id(flagged):
    receiver, endpoint, delivery = flagged(*([500] * 8), body=b"x" * 5000)

    waits = []
    for _ in range(8):
        before = timezone.now()
        status = _deliver(delivery)
        delivery.refresh_from_db()
        if status == "pending":
            waits.append(round((delivery.next_attempt_at - before).total_seconds()))

    assert status == "failed"
    assert waits == list(outbound.RETRY_DELAYS[1:])
    assert len({r["headers"]["webhook-id"] for r in receiver.requests}) == 1
    assert all(r["verified"] for r in receiver.requests)
    attempts = list(delivery.attempts.all())
    assert len(attempts) == 8
    assert all(a.status_code == 500 and len(a.response_body) == 1024 for a in attempts)
    endpoint.refresh_from_db()
    assert endpoint.failing_since is not None
    assert endpoint.active  # 8 fast failures are not 5 days of them


def test_a_later_success_clears_the_failing_since(flagged):
    _receiver, endpoint, delivery = flagged(500, 200)

    _deliver(delivery)
    endpoint.refresh_from_db()
    assert endpoint.failing_since is not None
    _deliver(delivery)

    endpoint.refresh_from_db()
    assert endpoint.failing_since is None


def test_410_disables_the_endpoint(flagged, clinic):
    _receiver, endpoint, delivery = flagged(410)

    assert _deliver(delivery) == "failed"

    endpoint.refresh_from_db()
    assert endpoint.active is False
    assert "410" in endpoint.disabled_reason
    raise_flag(clinic)
    assert WebhookDelivery.objects.filter(endpoint=endpoint).count() == 1


def test_five_days_of_failure_disable_the_endpoint_and_tell_the_clinic(flagged):
    receiver, endpoint, delivery = flagged(500, 500)
    since = timezone.now() - dt.timedelta(days=5, minutes=1)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=since)

    _deliver(delivery)

    endpoint.refresh_from_db()
    assert endpoint.active is False
    assert "5 days" in endpoint.disabled_reason
    (notification,) = Notification.objects.filter(purpose="endpoint_disabled")
    assert notification.recipient == "desk@harbour.example"
    assert notification.channel == "email"
    assert notification.dedupe_key == f"endpoint-disabled:{endpoint.id}:{since.isoformat()}"
    assert notification.context == {"endpoint_url": receiver.url}
    # Nothing more is sent to it.
    assert _deliver(delivery) == "failed"
    assert len(receiver.requests) == 1
    assert Notification.objects.filter(purpose="endpoint_disabled").count() == 1


def test_an_unreachable_endpoint_is_an_attempt_with_an_error(clinic):
    endpoint = make_endpoint(clinic, url="http://127.0.0.1:9/nothing-listens")
    raise_flag(clinic)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)

    assert outbound.delivery_send(delivery.pk) == "pending"

    (attempt,) = delivery.attempts.all()
    assert attempt.status_code is None
    assert "connection failed" in attempt.error


def test_one_claim_per_attempt(flagged):
    receiver, _endpoint, delivery = flagged(200)

    claimed = outbound._claim(delivery.pk)

    assert claimed is not None
    assert outbound.delivery_send(delivery.pk) == "not claimed"
    assert receiver.requests == []


def test_the_sweep_retries_a_claim_a_dead_worker_left(flagged):
    _receiver, _endpoint, delivery = flagged(200)
    assert outbound._claim(delivery.pk) is not None  # the worker that held it died here
    WebhookDelivery.objects.filter(pk=delivery.pk).update(claimed_until=timezone.now() - dt.timedelta(seconds=1))
    sent = []

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(outbound, "queue_send", lambda delivery_id, countdown=None: sent.append(delivery_id))
        assert outbound.deliveries_sweep() == 1
    assert outbound.delivery_send(sent[0]) == "succeeded"

    errors = [a.error for a in WebhookAttempt.objects.filter(delivery=delivery)]
    assert errors == ["no result recorded: the worker stopped during this attempt", ""]


def test_redeliver_sends_the_same_message_again(api, flagged, django_capture_on_commit_callbacks):
    receiver, _endpoint, delivery = flagged(200, 200)
    _deliver(delivery)
    sent = []

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(outbound, "queue_send", lambda delivery_id, countdown=None: sent.append(delivery_id))
        with django_capture_on_commit_callbacks(execute=True):
            response = api.post(f"/api/v1/webhook-deliveries/{delivery.id}/redeliver")
    assert response.status_code == 202
    assert response.json()["status"] == "pending"
    outbound.delivery_send(sent[0])

    assert [r["headers"]["webhook-id"] for r in receiver.requests] == [delivery.message_id] * 2
    delivery.refresh_from_db()
    assert delivery.status == "succeeded"


def test_redeliver_to_a_disabled_endpoint_is_a_conflict(api, flagged):
    _receiver, _endpoint, delivery = flagged(410)
    _deliver(delivery)

    response = api.post(f"/api/v1/webhook-deliveries/{delivery.id}/redeliver")

    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"


def test_deliveries_list_each_message_with_its_attempts_in_constant_queries(
    api, clinic, flagged, django_assert_max_num_queries
):
    _receiver, endpoint, delivery = flagged(500, 200)
    _deliver(delivery)
    _deliver(delivery)
    with django_assert_max_num_queries(6):
        small = api.get(f"{URL}/{endpoint.id}/deliveries")
    for _ in range(15):
        raise_flag(clinic)
    with django_assert_max_num_queries(6):
        large = api.get(f"{URL}/{endpoint.id}/deliveries")

    assert len(small.json()["results"]) == 1
    assert len(large.json()["results"]) == 16
    item = small.json()["results"][0]
    assert item["message"]["id"] == delivery.message_id
    assert item["message"]["event_type"] == "appointment.flagged"
    assert [a["status_code"] for a in item["attempts"]] == [500, 200]
    assert {"attempted_at", "status_code", "duration_ms", "error"} <= set(item["attempts"][0])


def test_questionnaire_events_carry_ids_times_and_the_outcome_only(clinic):
    from service import events
    from service.models import Invitation, QuestionnaireResponse, Screening

    make_endpoint(clinic, events=["questionnaire.sent", "questionnaire.completed"])
    appointment = AppointmentFactory(clinic=clinic, external_platform="acuity", external_id="1046593215")
    now = timezone.now()
    invitation = Invitation.objects.create(
        clinic=clinic, appointment=appointment, kind="pre_session", scheduled_for=now, sent_at=now, status="sent"
    )
    events.questionnaire_sent.send(sender=Invitation, invitations=[invitation])
    screening = Screening.objects.create(
        clinic=clinic,
        appointment=appointment,
        client=appointment.client,
        source="pre_session",
        answers={"leg_pain_now": 7},
        start=appointment.start,
        outcome="proceed",
        rule_set_name="sciatica",
        rule_set_version="1",
    )
    response = QuestionnaireResponse.objects.create(
        clinic=clinic,
        invitation=invitation,
        appointment=appointment,
        kind="pre_session",
        answers={"leg_pain_now": 7},
        screening=screening,
        submitted_at=now,
    )
    events.questionnaire_completed.send(
        sender=Invitation, invitation=invitation, response=response, screening=screening
    )

    sent = WebhookMessage.objects.get(event_type="questionnaire.sent").payload["data"]
    completed = WebhookMessage.objects.get(event_type="questionnaire.completed").payload["data"]
    assert sent == {
        "appointment_id": str(appointment.id),
        "kind": "pre_session",
        "invitation_id": str(invitation.id),
        "sent_at": sent["sent_at"],
        "external": {"platform": "acuity", "id": "1046593215"},
    }
    assert sent["sent_at"]
    assert completed["screening_id"] == str(screening.id)
    assert completed["outcome"] == "proceed"
    assert completed["completed_at"]
    assert "leg_pain_now" not in json.dumps(completed)


def test_endpoint_and_integration_lists_take_constant_queries(
    api, clinic, make_integration, django_assert_max_num_queries
):
    make_endpoint(clinic)
    make_integration("calcom")
    with django_assert_max_num_queries(4):
        api.get(URL)
    with django_assert_max_num_queries(4):
        api.get("/api/v1/integrations")
    for n in range(20):
        make_endpoint(clinic, url=f"https://booking{n}.example/hook")
        make_integration("standard")
    with django_assert_max_num_queries(4):
        endpoints = api.get(URL).json()["results"]
    with django_assert_max_num_queries(4):
        integrations = api.get("/api/v1/integrations").json()["results"]

    assert (len(endpoints), len(integrations)) == (21, 21)
