"""Whatever a platform (or someone pretending to be one) posts: a 4xx problem+json, and signed bodies stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from booking_integration.inbound import REFUSED_BODY_BYTES, REFUSED_PER_MINUTE
from booking_integration.models import InboundDelivery, InboundStatus

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"


def test_a_calendly_timestamp_too_large_for_a_date_is_a_401(make_integration, post_hook):
    integration = make_integration("calendly")
    response = post_hook(integration, b"{}", {"Calendly-Webhook-Signature": "t=" + "9" * 30 + ",v1=00"})
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_a_standard_webhooks_timestamp_too_large_is_a_401(make_integration, post_hook):
    integration = make_integration("standard")
    headers = {"webhook-id": "msg_1", "webhook-timestamp": "9" * 30, "webhook-signature": "v1,AAAA"}
    assert post_hook(integration, b"{}", headers).status_code == 401


@pytest.mark.parametrize("platform", ["calcom", "standard"])
def test_a_signed_body_nested_very_deep_is_stored_and_answered_400(make_integration, post_hook, platform):
    integration = make_integration(platform)
    body = b'{"a":' * 100_000 + b"1" + b"}" * 100_000

    response = post_hook(integration, body)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    stored = InboundDelivery.objects.get(integration=integration)
    assert stored.status == InboundStatus.MALFORMED
    assert bytes(stored.body) == body


def test_a_signed_body_with_a_nul_in_an_id_is_stored_and_answered_400(make_integration, post_hook):
    integration = make_integration("calcom")
    payload = json.loads((FIXTURES / "calcom" / "booking_created.json").read_text())
    payload["payload"]["uid"] = "bk\u0000evil"
    body = json.dumps(payload).encode()

    response = post_hook(integration, body)

    assert response.status_code == 400
    stored = InboundDelivery.objects.get(integration=integration)
    assert stored.status == InboundStatus.MALFORMED
    assert "NUL" in stored.error


def test_a_refused_delivery_keeps_only_the_start_of_its_body(make_integration, post_hook):
    integration = make_integration("calcom")
    forged = b'{"junk": "' + b"x" * 2_000_000 + b'"}'

    response = post_hook(integration, forged, {"X-Cal-Signature-256": "00" * 32})

    assert response.status_code == 401
    stored = InboundDelivery.objects.get(integration=integration)
    assert stored.status == InboundStatus.REFUSED
    assert len(bytes(stored.body)) == REFUSED_BODY_BYTES


def test_refused_deliveries_are_rate_limited_per_integration(make_integration, post_hook, clinic):
    from django.core.cache import cache

    cache.clear()
    integration = make_integration("calcom")
    other = make_integration("calendly")
    answers = [post_hook(integration, b"{}", {"X-Cal-Signature-256": "00"}).status_code for _ in range(40)]

    assert answers[:REFUSED_PER_MINUTE] == [401] * REFUSED_PER_MINUTE
    assert set(answers[REFUSED_PER_MINUTE:]) == {429}
    assert InboundDelivery.objects.filter(integration=integration).count() == REFUSED_PER_MINUTE
    # Another integration of the clinic is counted on its own.
    assert post_hook(other, b"{}", {"Calendly-Webhook-Signature": "t=1,v1=00"}).status_code == 401


def test_a_body_over_the_size_limit_is_a_problem_json_413(make_integration, post_hook, settings):
    integration = make_integration("calcom")
    body = b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)
    response = post_hook(integration, body)
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
