"""The webhook payload builders (no DRF) give the same shapes as the API's serializers."""

from __future__ import annotations

import json

from service.api.flags import FlagSerializer
from service.api.screenings import ScreeningSerializer
from service.flags import flag_acknowledge
from service.models import Flag, Screening
from service.payloads import flag_data, screening_data

BODY = {
    "client": {"name": "Robin Ash", "email": "robin@example.com"},
    "service": {"name": "Deep tissue", "pressure": "deep", "duration_minutes": 60},
    "start": "2031-03-04T10:00:00Z",
    "answers": {"has_sciatica": True, "pain_below_knee": True, "leg_pain_now": 8, "worst_pain_24h": 9},
}


def _json(data):
    return json.loads(json.dumps(data, default=str))


def test_a_screening_payload_is_the_api_shape(api, therapist):
    response = api.post("/api/v1/screenings", {**BODY, "therapist_id": str(therapist.id)}, format="json")
    assert response.status_code == 201
    screening = Screening.objects.get(pk=response.json()["id"])
    assert screening.reasons  # something in every list
    assert screening.modifications
    assert screening_data(screening) == _json(ScreeningSerializer(screening).data) == response.json()


def test_a_flag_payload_is_the_api_shape_with_its_history(api, therapist):
    booked = api.post(
        "/api/v1/appointments",
        {**BODY, "end": "2031-03-04T11:00:00Z", "therapist_id": str(therapist.id)},
        format="json",
    )
    assert booked.status_code == 201
    flag = Flag.objects.filter(appointment_id=booked.json()["id"]).first()
    assert flag is not None
    flag_acknowledge(flag=flag, note="Seen, calling the client")
    flag.refresh_from_db()
    data = flag_data(flag)
    assert [event["action"] for event in data["events"]][-1] == "acknowledged"
    assert data == _json(FlagSerializer(flag).data)
