"""A clinic's own spinal-procedure window is the one its clients are asked about: page, JSON and FHIR."""

from __future__ import annotations

import json

import pytest

from tests.questionnaires.support import open_link

pytestmark = pytest.mark.django_db

QUESTION_26 = "Have you had surgery or an injection in your spine in the last 26 weeks?"


@pytest.fixture
def clinic_26_weeks(clinic, api):
    assert api.patch("/api/v1/clinic", {"policy": {"spinal_procedure_weeks": 26}}, format="json").status_code == 200
    clinic.refresh_from_db()
    return clinic


def test_the_page_the_json_and_fhir_ask_about_the_clinics_window(
    clinic_26_weeks, therapist, client_person, api, anon_api, client
):
    _, token = open_link(clinic=clinic_26_weeks, client=client_person, therapist=therapist, kind="pre_session")

    page = client.get(f"/q/{token}").content.decode()
    public = anon_api.get(f"/api/v1/public/questionnaires/{token}").json()
    fhir = api.get("/api/v1/questionnaires/pre_session.fhir.json").json()

    assert QUESTION_26 in page
    assert "last 12 weeks" not in page
    assert {q["key"]: q["text"] for q in public["questions"]}["spinal_procedure_recent"] == QUESTION_26
    # FHIR groups items by section: the question is somewhere in the tree, and the default is nowhere.
    assert QUESTION_26 in json.dumps(fhir)
    assert "last 12 weeks" not in json.dumps(fhir)


def test_another_clinic_keeps_the_default_window(clinic_26_weeks, other_api):
    fhir = other_api.get("/api/v1/questionnaires/pre_session.fhir.json").json()
    assert "last 12 weeks" in str(fhir)
    assert QUESTION_26 not in str(fhir)
