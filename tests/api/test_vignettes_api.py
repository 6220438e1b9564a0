"""A handful of the clinical vignettes through the real API: the same outcome as the engine gives them."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.screening.vignettes import VIGNETTES

pytestmark = pytest.mark.django_db

THROUGH_THE_API = (
    "V04-saddle-numbness",
    "V13-fever-mild-pain",
    "V18-weight-loss-and-night-pain",
    "V19-night-pain-over-50",
    "V26-microdiscectomy",
    "V32-flare-session-tomorrow",
)


@pytest.mark.parametrize("vignette", [v for v in VIGNETTES if v.id in THROUGH_THE_API], ids=lambda v: v.id)
def test_vignette_through_the_api(api, therapist, vignette):
    now = dt.datetime.now(dt.UTC)
    born = (now - dt.timedelta(days=365.25 * vignette.age + 30)).date()
    start = (now + dt.timedelta(hours=vignette.hours_until_session)).replace(microsecond=0)
    body = {
        "client": {"name": "Vignette Client", "email": "vignette@example.com", "date_of_birth": born.isoformat()},
        "therapist_id": str(therapist.pk),
        "service": {"name": "Remedial", "pressure": vignette.pressure, "duration_minutes": 60},
        "start": start.isoformat(),
        "answers": vignette.answers,
    }
    response = api.post("/api/v1/screenings", body, format="json")

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["outcome"] == vignette.outcome
    assert set(vignette.fires) <= {r["rule"] for r in data["reasons"]}
    assert data["rule_set"] == {"name": "sciatica", "version": "1.1.0"}
    if data["outcome"] == "reschedule":
        assert data["earliest_advised_start"] is not None
