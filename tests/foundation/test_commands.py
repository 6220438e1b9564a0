"""The management commands that make tenants and keys."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from service.models import ApiKey, Clinic, Therapist
from service.models.clinics import hash_api_key


def run(*args: str) -> dict:
    out = StringIO()
    call_command(*args, stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db
def test_create_clinic_prints_id_and_key_and_stores_only_the_hash():
    result = run("create_clinic", "--name", "Harbour", "--timezone", "Europe/London", "--emergency-region", "uk")
    clinic = Clinic.objects.get(pk=result["clinic_id"])
    assert clinic.emergency_region == "uk"
    assert clinic.timezone == "Europe/London"
    key = ApiKey.objects.get(clinic=clinic)
    assert key.key_hash == hash_api_key(result["api_key"])
    assert result["api_key"] not in {key.key_hash, key.prefix}


@pytest.mark.django_db
def test_create_clinic_refuses_an_unknown_timezone():
    with pytest.raises(CommandError, match="timezone"):
        run("create_clinic", "--name", "Harbour", "--timezone", "Mars/Olympus")
    assert not Clinic.objects.exists()


@pytest.mark.django_db
def test_create_api_key_issues_another_working_key(clinic, anon_api):
    result = run("create_api_key", "--clinic", str(clinic.id))
    anon_api.credentials(HTTP_AUTHORIZATION=f"Bearer {result['api_key']}")
    assert anon_api.get("/api/v1/therapists").status_code == 200


@pytest.mark.django_db
def test_create_api_key_names_a_missing_clinic():
    with pytest.raises(CommandError, match="No clinic"):
        run("create_api_key", "--clinic", "00000000-0000-0000-0000-000000000000")


@pytest.mark.django_db
def test_revoke_api_key_stops_the_key(clinic, anon_api):
    result = run("create_api_key", "--clinic", str(clinic.id))
    call_command("revoke_api_key", "--key-id", result["api_key_id"], stdout=StringIO())
    anon_api.credentials(HTTP_AUTHORIZATION=f"Bearer {result['api_key']}")
    assert anon_api.get("/api/v1/therapists").status_code == 401


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_prints_a_working_key(anon_api):
    first = run("seed_demo")
    second = run("seed_demo")
    assert first == second
    assert Clinic.objects.count() == 1
    assert Therapist.objects.count() == 2
    assert sum("sciatica" in t.qualifications for t in Therapist.objects.all()) == 1
    anon_api.credentials(HTTP_AUTHORIZATION=f"Bearer {first['api_key']}")
    assert len(anon_api.get("/api/v1/therapists").json()["results"]) == 2
