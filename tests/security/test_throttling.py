"""Repeated failures are slowed down (429), and a cache outage never turns a limit into a 500."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client as Browser
from django.test import override_settings

pytestmark = pytest.mark.django_db

BROKEN_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1: every call fails at once
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()


@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/"])
def test_repeated_wrong_passwords_on_a_sign_in_form_get_a_429(harbour_staff, settings, path):
    settings.AXES_ENABLED = True
    browser = Browser()
    answers = [
        browser.post(path, {"username": "dana@harbour.example", "password": f"wrong {n}"}).status_code
        for n in range(settings.AXES_FAILURE_LIMIT + 2)
    ]
    assert 429 not in answers[: settings.AXES_FAILURE_LIMIT - 1]
    assert answers[-1] == 429
    # Even the right password waits out the cool-off.
    assert (
        browser.post(path, {"username": "dana@harbour.example", "password": "harbour front desk 1"}).status_code == 429
    )


def test_bad_api_keys_from_one_address_get_a_429_with_retry_after(anon_api, api, settings):
    settings.API_KEY_FAILURE_LIMIT = 5
    anon_api.credentials(HTTP_AUTHORIZATION="Bearer sg_not_a_real_key")
    answers = [anon_api.get("/api/v1/therapists").status_code for _ in range(7)]

    assert answers[:5] == [401] * 5
    refused = anon_api.get("/api/v1/therapists")
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert int(refused["Retry-After"]) > 0


def test_a_good_key_from_another_address_is_not_slowed(anon_api, api, settings):
    settings.API_KEY_FAILURE_LIMIT = 2
    anon_api.credentials(HTTP_AUTHORIZATION="Bearer sg_not_a_real_key")
    for _ in range(3):
        anon_api.get("/api/v1/therapists", REMOTE_ADDR="203.0.113.9")
    assert api.get("/api/v1/therapists", REMOTE_ADDR="198.51.100.7").status_code == 200


def test_the_api_key_throttle_fails_open_when_the_cache_is_down(api, anon_api, caplog):
    anon_api.credentials(HTTP_AUTHORIZATION="Bearer sg_not_a_real_key")
    with override_settings(CACHES=BROKEN_CACHE):  # Django rebuilds its cache handles from the new setting
        assert api.get("/api/v1/therapists").status_code == 200  # a good key never asks the cache
        assert anon_api.get("/api/v1/therapists").status_code == 401  # a bad one: refused, not a 500
    assert "API key failure not counted: cache unavailable" in caplog.text


def test_the_questionnaire_page_answers_while_the_cache_is_down(anon_api, caplog):
    with override_settings(CACHES=BROKEN_CACHE):
        response = anon_api.get("/q/a-link-that-does-not-exist")
    assert response.status_code == 404  # the page's own answer, not a 500
    assert "rate limit skipped: cache unavailable" in caplog.text
