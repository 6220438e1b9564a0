"""Outbound faults with a real worker: a receiver that fails, and a worker killed mid-delivery."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from booking_integration import outbound
from booking_integration.models import WebhookDelivery
from booking_integration.tasks import sweep_webhook_deliveries
from service.flags import flag_raise
from tests.conftest import wait_for
from tests.factories import AppointmentFactory

pytestmark = pytest.mark.worker

REASONS = [{"rule": "RF-DVT", "outcome": "refer_urgently", "client_message": "c", "therapist_message": "t"}]


def flag_with_endpoint(clinic, receiver):
    endpoint = outbound.endpoint_create(clinic=clinic, url=receiver.url, events=["appointment.flagged"])
    receiver.secret = endpoint.secret
    appointment = AppointmentFactory(clinic=clinic)
    # Committed at once (transactional_db): the outbox row and the queued send, as in production.
    flag_raise(appointment=appointment, severity="critical", source="screening", kind="red_flag", reasons=REASONS)
    return WebhookDelivery.objects.get(endpoint=endpoint)


def time_passes(delivery: WebhookDelivery, **fields) -> None:
    """Move the clock past the wait the row asks for, instead of sleeping 5 minutes in a test."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now(), **fields)


def settled_after(delivery: WebhookDelivery, *, attempts: int) -> bool:
    row = WebhookDelivery.objects.get(pk=delivery.pk)
    return row.attempt_count == attempts and row.claimed_until is None


def test_receiver_answering_500_twice_then_200_gets_three_attempts_with_one_webhook_id(
    celery_worker_process, clinic, receiver_factory
):
    receiver = receiver_factory([500, 500, 200])
    celery_worker_process()

    delivery = flag_with_endpoint(clinic, receiver)

    # The first attempt at once, the second 5 s later (a countdown), both by the worker.
    wait_for(lambda: len(receiver.requests) == 2, timeout=30)
    wait_for(lambda: settled_after(delivery, attempts=2), timeout=10)
    delivery.refresh_from_db()
    assert delivery.status == "pending"
    assert delivery.next_attempt_at - timezone.now() > dt.timedelta(minutes=4)  # the third waits 5 min

    time_passes(delivery)
    sweep_webhook_deliveries.delay()  # what beat runs every minute

    wait_for(lambda: WebhookDelivery.objects.get(pk=delivery.pk).status == "succeeded", timeout=30)
    assert len(receiver.requests) == 3
    assert all(r["verified"] for r in receiver.requests)
    assert len({r["headers"]["webhook-id"] for r in receiver.requests}) == 1
    assert [a.status_code for a in delivery.attempts.all()] == [500, 500, 200]


def test_a_worker_killed_mid_delivery_still_delivers_with_the_same_webhook_id(
    celery_worker_process, clinic, receiver_factory
):
    receiver = receiver_factory(block_first=True)
    first_worker = celery_worker_process()

    delivery = flag_with_endpoint(clinic, receiver)
    assert receiver.entered.wait(timeout=30), "the worker never reached the receiver"
    first_worker.kill()
    receiver.release.set()
    delivery.refresh_from_db()
    assert delivery.status == "sending"  # claimed by the dead worker

    celery_worker_process()
    # The dead worker's claim runs out (2 minutes); the sweep then hands the delivery to another.
    time_passes(delivery, claimed_until=timezone.now() - dt.timedelta(seconds=1))
    sweep_webhook_deliveries.delay()

    wait_for(lambda: WebhookDelivery.objects.get(pk=delivery.pk).status == "succeeded", timeout=30)
    assert len(receiver.requests) == 2
    assert all(r["verified"] for r in receiver.requests)
    assert receiver.requests[0]["headers"]["webhook-id"] == receiver.requests[1]["headers"]["webhook-id"]
    errors = [a.error for a in delivery.attempts.all()]
    assert errors == ["no result recorded: the worker stopped during this attempt", ""]
