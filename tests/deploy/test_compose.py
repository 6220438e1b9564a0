"""docker-compose.yml, checked as the file a clinic's IT person runs (there is no Docker engine here)."""

from __future__ import annotations

import re

import pytest
import yaml

from tests.conftest import ROOT

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ("migrate", "web", "worker", "beat")
REQUIRED = ("SECRET_KEY", "FIELD_ENCRYPTION_KEY", "SITE_URL", "ALLOWED_HOSTS", "POSTGRES_PASSWORD")


def test_every_service_is_there():
    assert set(SERVICES) == {"postgres", "redis", *APP_SERVICES}


@pytest.mark.parametrize(
    ("service", "command"),
    [
        ("migrate", ["python", "manage.py", "migrate", "--no-input"]),
        ("web", ["gunicorn", "config.wsgi", "--config", "python:config.gunicorn"]),
        ("worker", ["celery", "-A", "config", "worker"]),
        ("beat", ["celery", "-A", "config", "beat"]),
    ],
)
def test_each_app_service_runs_its_process_from_the_one_image(service, command):
    definition = SERVICES[service]
    assert definition["command"][: len(command)] == command
    assert definition["build"] == "."
    assert definition["environment"]["DJANGO_SETTINGS_MODULE"] == "config.settings.production"


@pytest.mark.parametrize("service", ["postgres", "redis", "web", "worker", "beat"])
def test_long_running_services_restart_and_have_a_health_check(service):
    definition = SERVICES[service]
    assert definition["restart"] == "unless-stopped"
    assert definition["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL")


def test_migrate_runs_once_and_the_app_waits_for_it():
    assert SERVICES["migrate"]["restart"] == "no"
    for service in ("web", "worker", "beat"):
        assert SERVICES[service]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


@pytest.mark.parametrize("variable", REQUIRED)
def test_secrets_and_addresses_are_required_not_defaulted(variable):
    text = (ROOT / "docker-compose.yml").read_text()
    assert re.search(r"\$\{" + variable + r":\?[^}]+\}", text), f"{variable} must be ${{{variable}:?message}}"
    assert not re.search(r"\$\{" + variable + r":-", text), f"{variable} must have no default"


def test_the_web_service_is_wired_for_an_https_proxy():
    environment = SERVICES["web"]["environment"]
    assert environment["BEHIND_PROXY"].startswith("${BEHIND_PROXY")
    assert "CSRF_TRUSTED_ORIGINS" in environment
    assert "FORWARDED_ALLOW_IPS" in environment
    assert SERVICES["web"]["healthcheck"]["test"][-1].find("/health/") > 0


def test_every_variable_compose_passes_is_in_the_readme_table():
    readme = (ROOT / "README.md").read_text()
    for name in SERVICES["web"]["environment"]:
        assert f"`{name}`" in readme, f"{name} is not documented in the README"
