"""Clinic.webhook_events follows the endpoints, so unsubscribed events cost no query on the hot path."""

import datetime as dt

import pytest

from booking_integration.models import WebhookMessage
from service.models import Clinic

pytestmark = pytest.mark.django_db


def screening_body(person):
    start = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).replace(microsecond=0).isoformat()
    return {"client": str(person.id), "service": {"name": "Massage", "pressure": "medium"}, "start": start}


def test_endpoint_changes_keep_the_clinics_subscribed_events(api, clinic):
    created = api.post(
        "/api/v1/webhook-endpoints",
        {"url": "https://hooks.example/a", "events": ["screening.completed", "flag.resolved"]},
        format="json",
    ).json()
    assert Clinic.objects.get(pk=clinic.pk).webhook_events == ["flag.resolved", "screening.completed"]
    api.patch(f"/api/v1/webhook-endpoints/{created['id']}", {"events": ["flag.resolved"]}, format="json")
    assert Clinic.objects.get(pk=clinic.pk).webhook_events == ["flag.resolved"]
    api.patch(f"/api/v1/webhook-endpoints/{created['id']}", {"active": False}, format="json")
    assert Clinic.objects.get(pk=clinic.pk).webhook_events == []
    api.patch(f"/api/v1/webhook-endpoints/{created['id']}", {"active": True}, format="json")
    assert Clinic.objects.get(pk=clinic.pk).webhook_events == ["flag.resolved"]
    api.delete(f"/api/v1/webhook-endpoints/{created['id']}")
    assert Clinic.objects.get(pk=clinic.pk).webhook_events == []


def test_a_screening_nobody_listens_to_makes_no_message_and_no_endpoint_query(
    api, clinic, client_person, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8) as captured:
        assert api.post("/api/v1/screenings", screening_body(client_person), format="json").status_code == 201
    assert not any("webhookendpoint" in q["sql"] for q in captured.captured_queries)
    assert not WebhookMessage.objects.exists()
    api.post(
        "/api/v1/webhook-endpoints",
        {"url": "https://hooks.example/a", "events": ["screening.completed"]},
        format="json",
    )
    assert api.post("/api/v1/screenings", screening_body(client_person), format="json").status_code == 201
    assert WebhookMessage.objects.filter(event_type="screening.completed").count() == 1
