"""Keys are required, revocable, and a key sees its own clinic only (404 for others, on every verb)."""

import pytest

from service.clinics import api_key_create, api_key_revoke
from tests.factories import ClientFactory, TherapistFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer not-a-key", "Token abc", "Basic dXNlcjpwYXNz"])
def test_missing_or_bad_key_is_401_problem(anon_api, header):
    if header:
        anon_api.credentials(HTTP_AUTHORIZATION=header)
    response = anon_api.get("/api/v1/therapists")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_revoked_key_is_401(clinic, anon_api):
    key, raw = api_key_create(clinic=clinic)
    anon_api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert anon_api.get("/api/v1/clients").status_code == 200
    api_key_revoke(key=key)
    assert anon_api.get("/api/v1/clients").status_code == 401


@pytest.mark.parametrize("resource", ["therapists", "clients"])
def test_other_clinic_gets_404_on_every_verb(resource, clinic, other_api):
    factory = TherapistFactory if resource == "therapists" else ClientFactory
    obj = factory(clinic=clinic)
    url = f"/api/v1/{resource}/{obj.id}"
    assert other_api.get(url).status_code == 404
    assert other_api.patch(url, {"name": "Stolen"}, format="json").status_code == 404
    assert other_api.post(f"{url}/deactivate").status_code == 404
    listed = other_api.get(f"/api/v1/{resource}").json()["results"]
    assert str(obj.id) not in {row["id"] for row in listed}
    obj.refresh_from_db()
    assert obj.name != "Stolen"
    assert obj.active


def test_a_malformed_id_is_404_not_500(api):
    assert api.get("/api/v1/therapists/not-a-uuid").status_code == 404


def test_an_unknown_api_path_is_problem_404(api):
    response = api.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
