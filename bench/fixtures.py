"""The data the benchmarks need: a clinic, its key, therapists, clients and varied request bodies."""

from __future__ import annotations

import datetime as dt
import json
import random

from bench.engine import answer_sets


def create() -> dict[str, object]:
    from service.clinics import api_key_create
    from service.models import Clinic
    from service.people import client_create, therapist_create

    clinic, _ = Clinic.objects.get_or_create(
        name="Bench Clinic", defaults={"timezone": "Europe/London", "emergency_region": "uk"}
    )
    _, raw_key = api_key_create(clinic=clinic, name="bench")
    therapists = list(clinic.therapists.all()[:6])
    for index in range(6 - len(therapists)):
        therapists.append(
            therapist_create(
                clinic=clinic,
                name=f"Bench Therapist {index}",
                email=f"bench{index}@clinic.example",
                qualifications=["sciatica"] if index % 2 else ["sports"],
                alert_channels=["email"],
            )
        )
    clients = list(clinic.clients.all()[:50])
    for index in range(50 - len(clients)):
        clients.append(
            client_create(
                clinic=clinic,
                name=f"Bench Client {index}",
                email=f"client{index}@bench.example",
                date_of_birth=dt.date(1950 + index % 40, 1 + index % 12, 1 + index % 28),
                contact_channels=["email"],
            )
        )
    rng = random.Random(11)
    start = (dt.datetime.now(dt.UTC) + dt.timedelta(days=5)).replace(microsecond=0)
    bodies = []
    for index, context in enumerate(answer_sets(200, seed=3)):
        bodies.append(
            json.dumps(
                {
                    "client": str(clients[index % len(clients)].id),
                    "therapist_id": str(rng.choice(therapists).id),
                    "service": {
                        "name": "Remedial massage",
                        "pressure": context.service_pressure,
                        "duration_minutes": 60,
                    },
                    "start": (start + dt.timedelta(hours=index)).isoformat(),
                    "answers": dict(context.answers),
                }
            )
        )
    from booking_integration.inbound import integration_create
    from booking_integration.models import Integration

    integration = Integration.objects.filter(clinic=clinic, platform="calcom", active=True).first()
    if integration is None:
        integration = integration_create(
            clinic=clinic,
            platform="calcom",
            signing_secret="bench-calcom-secret",
            settings={"answer_map": {"Pain today, 0 to 10": "leg_pain_now"}},
        )
    return {
        "integration": integration,
        "clinic": clinic,
        "api_key": raw_key,
        "therapists": therapists,
        "clients": clients,
        "screening_bodies": bodies,
    }


_webhook_batch = 0


def calcom_requests(integration, count: int) -> list[tuple[dict[str, str], str]]:
    """`count` signed Cal.com BOOKING_CREATED deliveries, each a different booking (no dedupe short cut)."""
    import hashlib
    import hmac

    global _webhook_batch
    _webhook_batch += 1
    start = (dt.datetime.now(dt.UTC) + dt.timedelta(days=4)).replace(minute=0, second=0, microsecond=0)
    requests = []
    for index in range(count):
        uid = f"bench-{_webhook_batch}-{index}-{random.getrandbits(32):08x}"
        begins = start + dt.timedelta(minutes=30 * (index % 500))
        body = json.dumps(
            {
                "triggerEvent": "BOOKING_CREATED",
                "createdAt": dt.datetime.now(dt.UTC).isoformat(),
                "payload": {
                    "type": "remedial-60",
                    "title": "Remedial massage",
                    "startTime": begins.isoformat().replace("+00:00", "Z"),
                    "endTime": (begins + dt.timedelta(hours=1)).isoformat().replace("+00:00", "Z"),
                    "length": 60,
                    "uid": uid,
                    "bookingId": index,
                    "eventTypeId": 912,
                    "status": "ACCEPTED",
                    "organizer": {"id": 1, "name": "Bench Therapist 1", "email": "bench1@clinic.example"},
                    "attendees": [{"name": f"Client {index}", "email": f"client{index % 50}@bench.example"}],
                    "responses": {"pain-score": {"label": "Pain today, 0 to 10", "value": str(index % 8)}},
                },
            }
        )
        signature = hmac.new(integration.signing_secret.encode(), body.encode(), hashlib.sha256).hexdigest()
        headers = {"Content-Type": "application/json", "X-Cal-Signature-256": signature}
        requests.append((headers, body))
    return requests
