"""What every answer carries: documented errors, CSP, no-store on health data, and no token in a log line."""

from __future__ import annotations

import logging
from datetime import timedelta
from types import SimpleNamespace

import pytest
import yaml

from config.gunicorn import RedactingLogger
from config.log_filters import RedactTokens, redact

pytestmark = pytest.mark.django_db


def test_every_operation_documents_its_errors_as_problem_json(anon_api):
    schema = yaml.safe_load(anon_api.get("/api/schema/").content)
    assert "Problem" in schema["components"]["schemas"]
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            errors = {code for code in responses if code.startswith("4")}
            assert {"400", "429"} <= errors, (method, path)
            if "{" in path:
                assert "404" in errors, (method, path)
            if operation.get("security") != [{}] and "public" not in path:
                assert "401" in errors, (method, path)
            for code in errors:
                assert list(responses[code]["content"]) == ["application/problem+json"], (method, path, code)


def test_the_public_questionnaire_api_does_not_claim_a_401(anon_api):
    schema = yaml.safe_load(anon_api.get("/api/schema/").content)
    public = schema["paths"]["/api/v1/public/questionnaires/{token}"]["get"]
    assert "401" not in public["responses"]


@pytest.mark.parametrize("path", ["/accounts/login/", "/api/docs/", "/health/"])
def test_every_page_has_a_content_security_policy(anon_api, path):
    response = anon_api.get(path)
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy


def test_pages_other_than_the_docs_allow_no_inline_script_or_style(anon_api):
    policy = anon_api.get("/accounts/login/")["Content-Security-Policy"]
    assert "unsafe-inline" not in policy


def test_answers_with_health_data_are_never_stored(api, anon_api):
    assert api.get("/api/v1/appointments")["Cache-Control"] == "no-store"
    assert anon_api.get("/q/not-a-token")["Cache-Control"] == "no-store"
    assert "no-store" not in anon_api.get("/api/schema/").get("Cache-Control", "")


TOKEN = "Q2hlY2sgdGhhdCB0aGlzIG5ldmVyIGxvZ3M"


@pytest.mark.parametrize(
    "line",
    [
        f"GET /q/{TOKEN} HTTP/1.1",
        f"POST /q/{TOKEN}/sent",
        f"GET /api/v1/public/questionnaires/{TOKEN}?x=1",
        f"Referer: https://clinic.example/q/{TOKEN}",
        f"GET /accounts/reset/MQ/{TOKEN}/",
    ],
)
def test_tokens_are_redacted(line):
    assert TOKEN not in redact(line)
    assert "[redacted]" in redact(line)


def test_the_log_filter_redacts_a_token_passed_as_an_argument():
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "Not Found: %s", (f"/q/{TOKEN}",), None)
    RedactTokens().filter(record)
    assert record.getMessage() == "Not Found: /q/[redacted]"


def test_the_gunicorn_access_log_has_no_token():
    logger = RedactingLogger(SimpleNamespace(**_gunicorn_config()))
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/q/{TOKEN}",
        "PATH_INFO": f"/q/{TOKEN}",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": f"https://clinic.example/q/{TOKEN}",
    }
    atoms = logger.atoms(SimpleNamespace(status="200 OK", sent=10, headers=[]), SimpleNamespace(headers=[]),
                         environ, timedelta(milliseconds=5))  # fmt: skip
    assert TOKEN not in repr(atoms)


def _gunicorn_config() -> dict:
    from gunicorn.config import Config

    config = Config()
    return {name: setting.get() for name, setting in config.settings.items()}


def test_health_names_console_senders_when_not_debugging(anon_api, settings):
    settings.DEBUG = False
    settings.CONSOLE_SENDERS = ["email"]
    body = anon_api.get("/health/").json()
    assert body["warnings"] == ["email is only printed to the console, never delivered"]
