"""Schema, docs, health, metrics and configuration."""

import os
import subprocess
import sys

import pytest
import yaml
from openapi_spec_validator import validate

from tests.conftest import ROOT

pytestmark = pytest.mark.django_db


def test_schema_is_valid_openapi_3(anon_api):
    response = anon_api.get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    validate(schema)
    assert "/api/v1/therapists" in schema["paths"]
    assert schema["components"]["securitySchemes"]["ApiKey"]["scheme"] == "bearer"


def test_schema_generates_without_warnings(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))


def test_swagger_ui_is_served(anon_api):
    response = anon_api.get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def test_metrics_are_prometheus_text(anon_api):
    response = anon_api.get("/metrics")
    assert response.status_code == 200
    assert b"django_http_requests" in response.content


def test_health_reports_each_check_and_503_without_a_worker(anon_api):
    response = anon_api.get("/health/")
    body = response.json()
    assert set(body["checks"]) == {"database", "broker", "worker"}
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True
    assert body["checks"]["worker"]["ok"] is False
    assert response.status_code == 503


def test_health_is_ok_with_a_recent_heartbeat(anon_api):
    from service.tasks import worker_heartbeat

    worker_heartbeat()
    response = anon_api.get("/health/")
    assert response.status_code == 200, response.json()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", "mysql-ish://nope"),
        ("CELERY_BROKER_URL", "carrier-pigeon://"),
        ("DEBUG", "perhaps"),
        ("EMAIL_URL", "smtp://host:notaport"),
        ("SITE_URL", "ftp://example.com"),
        ("SMS_BACKEND", "pager"),
    ],
)
def test_a_malformed_setting_stops_start_up_naming_it(name, value):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local", name: value}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert name in result.stderr


def test_production_settings_require_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.production", "DEBUG": "false"})
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
