"""A deployment behind an HTTPS proxy: settings from the environment, CSRF, headers, and `check --deploy`."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.test import Client, override_settings

from tests.conftest import ROOT

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DEBUG": "false",
    "SECRET_KEY": "a-production-secret-" + "x" * 50,
    "FIELD_ENCRYPTION_KEY": "a-field-encryption-key-of-enough-length",
    "ALLOWED_HOSTS": "clinic.example",
    "SITE_URL": "https://clinic.example",
    "CSRF_TRUSTED_ORIGINS": "https://clinic.example",
    "BEHIND_PROXY": "true",
}


def _django(code: str, **env: str) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); from django.conf import settings; {code}"],
        cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_production_settings_come_from_the_environment():
    result = _django(
        "import json; print(json.dumps([settings.SECURE_PROXY_SSL_HEADER, settings.CSRF_TRUSTED_ORIGINS,"
        " settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_SECONDS, settings.SESSION_COOKIE_SECURE]))",
        **PRODUCTION_ENV,
    )
    assert result.returncode == 0, result.stderr
    proxy_header, origins, redirect, hsts, secure_cookie = json.loads(result.stdout.strip().splitlines()[-1])
    assert proxy_header == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert origins == ["https://clinic.example"]
    assert redirect is True
    assert hsts >= 31536000
    assert secure_cookie is True


def test_without_behind_proxy_the_forwarded_proto_header_is_not_trusted():
    result = _django(
        "print(repr(getattr(settings, 'SECURE_PROXY_SSL_HEADER', None)))", **{**PRODUCTION_ENV, "BEHIND_PROXY": ""}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "None"


@pytest.mark.parametrize("missing", ["SECRET_KEY", "FIELD_ENCRYPTION_KEY"])
def test_production_refuses_to_start_without_its_secrets(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = _django("pass", **env)
    assert result.returncode != 0
    assert missing in result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [("PORT", "eighty"), ("FIELD_ENCRYPTION_KEY", "too-short"), ("CSRF_TRUSTED_ORIGINS", "clinic.example")],
)
def test_a_malformed_deployment_setting_names_itself(name, value):
    result = _django("pass", **{**PRODUCTION_ENV, name: value})
    assert result.returncode != 0
    assert name in result.stderr


def test_console_senders_are_named_loudly_in_production():
    result = _django("print(settings.CONSOLE_SENDERS)", **{**PRODUCTION_ENV, "EMAIL_URL": "consolemail://"})
    assert result.returncode == 0, result.stderr
    assert "EMAIL and SMS only printed to the console, never delivered" in result.stderr


def test_check_deploy_is_clean_under_production_settings():
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    env.update(PRODUCTION_ENV)
    env.update({"EMAIL_URL": "smtp://127.0.0.1:1025", "SMS_BACKEND": "memory"})
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
@override_settings(
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
    CSRF_TRUSTED_ORIGINS=["https://clinic.example"],
    ALLOWED_HOSTS=["clinic.example"],
    CSRF_COOKIE_SECURE=True,
    SESSION_COOKIE_SECURE=True,
)
def test_a_form_posted_through_an_https_proxy_passes_csrf():
    browser = Client(enforce_csrf_checks=True, HTTP_HOST="clinic.example", HTTP_X_FORWARDED_PROTO="https")
    page = browser.get("/accounts/login/")
    token = page.cookies["csrftoken"].value

    response = browser.post(
        "/accounts/login/",
        {"username": "nobody@clinic.example", "password": "wrong", "csrfmiddlewaretoken": token},
        HTTP_ORIGIN="https://clinic.example",
    )
    forged = browser.post(
        "/accounts/login/",
        {"username": "nobody@clinic.example", "password": "wrong", "csrfmiddlewaretoken": token},
        HTTP_ORIGIN="https://elsewhere.example",
    )

    assert response.status_code == 200  # the form answers (wrong password), CSRF let it through
    assert b"did not match" in response.content
    assert forged.status_code == 403
