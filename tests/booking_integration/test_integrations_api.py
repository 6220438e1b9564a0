"""The integrations API: create with validated settings, list, read, delete, deliveries and replay."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from booking_integration import inbound
from booking_integration.models import InboundDelivery, Integration
from tests.booking_integration.conftest import SECRETS
from tests.booking_integration.fakeapi import FakeApi, fixture_bytes, fixture_json

pytestmark = pytest.mark.django_db

URL = "/api/v1/integrations"


def attrs(response) -> set[str]:
    return {error["attr"] for error in response.json()["errors"]}


def test_create_answers_the_webhook_url_and_never_echoes_secrets(api, therapist, settings):
    settings.SITE_URL = "https://sg.example"
    body = {
        "platform": "acuity",
        "signing_secret": "",
        "settings": {
            "api_user": "123456",
            "api_key": "acuity-key",
            "api_base_url": "https://acuityscheduling.com",
            "staff": {"7702": str(therapist.pk)},
            "service_pressure": {"5521": "deep"},
            "answer_map": {"Pain today, 0 to 10": "leg_pain_now"},
        },
    }

    response = api.post(URL, body, format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    integration = Integration.objects.get(pk=data["id"])
    assert data["webhook_url"] == f"https://sg.example/hooks/acuity/{integration.id}/"
    assert "signing_secret" not in data
    assert "api_key" not in data["settings"]
    assert "acuity-key" not in response.content.decode()
    assert integration.settings["api_key"] == "acuity-key"  # kept, usable to verify
    assert data["settings"]["staff"] == {"7702": str(therapist.pk)}
    assert api.get(f"{URL}/{integration.id}").json() == data


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"platform": "zoom", "signing_secret": "s"}, {"platform"}),
        ({"platform": "calcom"}, {"signing_secret"}),
        ({"platform": "calcom", "signing_secret": "s", "settings": {"colour": "red"}}, {"settings.colour"}),
        ({"platform": "calcom", "signing_secret": "s", "settings": {"staff": ["a"]}}, {"settings.staff"}),
        (
            {"platform": "calcom", "signing_secret": "s", "settings": {"service_pressure": {"x": "hard"}}},
            {"settings.service_pressure.x"},
        ),
        (
            {"platform": "calcom", "signing_secret": "s", "settings": {"answer_map": {"Q": "not_a_key"}}},
            {"settings.answer_map.Q"},
        ),
        (
            {"platform": "calcom", "signing_secret": "s", "settings": {"api_base_url": "ftp:x"}},
            {"settings.api_base_url"},
        ),
        ({"platform": "acuity", "settings": {"api_user": "1"}}, {"settings.api_key"}),
        (
            {"platform": "square", "signing_secret": "s", "settings": {"api_key": "t"}},
            {"settings.notification_url"},
        ),
        ({"platform": "standard", "signing_secret": "not base64 !!"}, {"signing_secret"}),
    ],
    ids=[
        "unknown-platform",
        "no-secret",
        "unknown-setting",
        "staff-not-a-map",
        "bad-pressure",
        "bad-answer-key",
        "bad-url",
        "acuity-without-key",
        "square-without-url",
        "standard-bad-secret",
    ],
)
def test_create_names_each_bad_field(api, body, expected):
    response = api.post(URL, body, format="json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert attrs(response) == expected
    assert not Integration.objects.exists()


def test_staff_must_name_this_clinics_therapists(api, other_clinic):
    from tests.factories import TherapistFactory

    theirs = TherapistFactory(clinic=other_clinic)
    body = {"platform": "calcom", "signing_secret": "s", "settings": {"staff": {"3021": str(theirs.pk)}}}

    response = api.post(URL, body, format="json")

    assert response.status_code == 400
    assert attrs(response) == {"settings.staff.3021"}


def test_list_read_and_delete(api, make_integration):
    first = make_integration("calcom")
    second = make_integration("standard")

    listed = api.get(URL).json()["results"]
    assert {item["id"] for item in listed} == {str(first.id), str(second.id)}

    assert api.delete(f"{URL}/{first.id}").status_code == 204
    assert api.get(f"{URL}/{first.id}").status_code == 404
    assert [item["id"] for item in api.get(URL).json()["results"]] == [str(second.id)]
    # Kept, with what it received, but no longer accepting deliveries.
    assert Integration.objects.get(pk=first.id).active is False


def test_another_clinic_gets_404_on_every_verb(api, other_api, make_integration):
    integration = make_integration("calcom")
    delivery = InboundDelivery.objects.create(integration=integration, body=b"{}", status="failed", dedupe_key="k")
    base = f"{URL}/{integration.id}"

    assert other_api.get(base).status_code == 404
    assert other_api.delete(base).status_code == 404
    assert other_api.get(f"{base}/deliveries").status_code == 404
    assert other_api.post(f"{base}/deliveries/{delivery.id}/replay").status_code == 404
    assert other_api.get(URL).json()["results"] == []
    assert Integration.objects.get(pk=integration.id).active


def test_without_a_key_it_is_401(anon_api):
    assert anon_api.get(URL).status_code == 401


def _deliveries(integration, count: int) -> None:
    start = InboundDelivery.objects.filter(integration=integration).count()
    for n in range(start, start + count):
        InboundDelivery.objects.create(
            integration=integration, body=b"{}", status="processed", dedupe_key=f"k{n}", event_type="BOOKING_CREATED"
        )


def test_deliveries_are_listed_without_bodies_and_in_constant_queries(
    api, make_integration, django_assert_max_num_queries
):
    integration = make_integration("calcom")
    _deliveries(integration, 3)
    with django_assert_max_num_queries(6):
        small = api.get(f"{URL}/{integration.id}/deliveries")
    _deliveries(integration, 30)
    with django_assert_max_num_queries(6):
        large = api.get(f"{URL}/{integration.id}/deliveries")

    assert len(small.json()["results"]) == 3
    assert len(large.json()["results"]) == 33
    item = large.json()["results"][0]
    assert set(item) == {
        "id",
        "received_at",
        "status",
        "signature_ok",
        "event_type",
        "result",
        "error",
        "attempts",
        "processed_at",
    }


def test_deliveries_page_with_a_cursor(api, make_integration):
    integration = make_integration("calcom")
    _deliveries(integration, 5)

    first = api.get(f"{URL}/{integration.id}/deliveries?page_size=2").json()
    second = api.get(first["next"]).json()

    assert len(first["results"]) == len(second["results"]) == 2
    assert not {d["id"] for d in first["results"]} & {d["id"] for d in second["results"]}


@pytest.mark.usefixtures("inline_tasks")
def test_a_failed_fetch_is_recorded_and_replay_applies_it(
    api, make_integration, post_hook, django_capture_on_commit_callbacks
):
    with FakeApi() as fake:
        fake.add("/api/v1/appointments/1046593215", {"message": "unavailable"}, status=503)
        integration = make_integration("acuity", api_base_url=fake.base_url)

        response = post_hook(integration, fixture_bytes("acuity/scheduled.txt"))
        assert response.status_code == 202
        delivery = InboundDelivery.objects.get(pk=response.json()["delivery_id"])
        # Short waits are queued (and run at once here); the 5-minute one is left to the sweep.
        assert (delivery.status, delivery.attempts) == ("received", 3)
        assert "HTTP 503" in delivery.error
        assert delivery.next_attempt_at > timezone.now() + dt.timedelta(minutes=4)

        InboundDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())  # time passes
        with django_capture_on_commit_callbacks(execute=True):  # the sweep queues after commit
            assert inbound.deliveries_sweep() == 1
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == ("failed", 4)
        assert not integration.clinic.appointments.exists()

        fake.add("/api/v1/appointments/1046593215", fixture_json("acuity/appointment.json"))
        replay_url = f"{URL}/{integration.id}/deliveries/{delivery.id}/replay"
        with django_capture_on_commit_callbacks(execute=True):
            replayed = api.post(replay_url)

    assert replayed.status_code == 202
    delivery.refresh_from_db()
    assert delivery.status == "processed"
    assert delivery.error == ""
    assert integration.clinic.appointments.count() == 1


@pytest.mark.parametrize("status", ["refused", "malformed", "duplicate", "ignored"])
def test_what_was_never_accepted_cannot_be_replayed(api, make_integration, status):
    integration = make_integration("calcom")
    delivery = InboundDelivery.objects.create(integration=integration, body=b"{}", status=status)

    response = api.post(f"{URL}/{integration.id}/deliveries/{delivery.id}/replay")

    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"


def test_secrets_of_the_test_platforms_are_complete():
    # Guards the fixtures: every platform of the registry has a test secret.
    from booking_integration.platforms.registry import platform_names

    assert set(SECRETS) == set(platform_names())


def test_the_admin_shows_integrations_and_deliveries_but_no_secret_or_body(client, make_integration):
    from django.contrib.auth import get_user_model

    from booking_integration.outbound import endpoint_create

    client.force_login(get_user_model().objects.create_superuser("owner", "owner@example.com", "pw-owner-123"))
    integration = make_integration("square")
    delivery = InboundDelivery.objects.create(integration=integration, body=b'{"leg_pain_now": 9}', status="processed")
    endpoint = endpoint_create(clinic=integration.clinic, url="https://booking.example/hook", events=["flag.resolved"])

    pages = [
        client.get(f"/admin/booking_integration/integration/{integration.id}/change/"),
        client.get(f"/admin/booking_integration/inbounddelivery/{delivery.id}/change/"),
        client.get("/admin/booking_integration/inbounddelivery/"),
        client.get(f"/admin/booking_integration/webhookendpoint/{endpoint.id}/change/"),
    ]

    for page in pages:
        assert page.status_code == 200
        text = page.content.decode()
        for secret in (SECRETS["square"], "square-access-token", "leg_pain_now", endpoint.secret):
            assert secret not in text
