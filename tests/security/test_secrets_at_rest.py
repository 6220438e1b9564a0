"""Signing secrets, endpoint secrets and platform API keys are stored encrypted, readable only with the key."""

from __future__ import annotations

import io
import subprocess

import pytest
from django.core.management import call_command
from django.db import connection

from booking_integration.models import Integration, WebhookEndpoint
from service.crypto import DecryptionFailed, decrypt, encrypt

pytestmark = pytest.mark.django_db(transaction=True)

SIGNING_SECRET = "calcom-signing-secret-4f9a1c"
ACUITY_KEY = "acuity-api-key-77e01b"


@pytest.fixture
def stored_secrets(clinic):
    Integration.objects.create(clinic=clinic, platform="calcom", signing_secret=SIGNING_SECRET)
    Integration.objects.create(clinic=clinic, platform="acuity", settings={"api_user": "1234", "api_key": ACUITY_KEY})
    endpoint = WebhookEndpoint.objects.create(clinic=clinic, url="https://booking.example/hook", events=["*"])
    return endpoint.secret


def _dump() -> str:
    db = connection.settings_dict
    command = ["pg_dump", "--data-only", "-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432),
               "-U", db["USER"] or "postgres", db["NAME"]]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, check=True, timeout=60).stdout


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump needs PostgreSQL")
def test_a_database_dump_holds_no_stored_secret(stored_secrets):
    dump = _dump()
    assert "calcom-signing-secret" not in dump
    assert ACUITY_KEY not in dump
    assert stored_secrets not in dump
    assert "enc:v1:" in dump
    integration = Integration.objects.get(platform="acuity")
    assert integration.settings["api_key"] == ACUITY_KEY  # and the service still reads them


def test_rotation_re_encrypts_under_the_new_key(stored_secrets, settings):
    old_keys = list(settings.FIELD_ENCRYPTION_KEYS)
    with connection.cursor() as cursor:
        cursor.execute("SELECT signing_secret FROM booking_integration_integration WHERE platform = 'calcom'")
        before = cursor.fetchone()[0]

    settings.FIELD_ENCRYPTION_KEYS = ["a-brand-new-field-encryption-key-0001", *old_keys]
    call_command("rotate_field_encryption", stdout=io.StringIO())
    settings.FIELD_ENCRYPTION_KEYS = ["a-brand-new-field-encryption-key-0001"]  # the old key is gone

    assert Integration.objects.get(platform="calcom").signing_secret == SIGNING_SECRET
    with connection.cursor() as cursor:
        cursor.execute("SELECT signing_secret FROM booking_integration_integration WHERE platform = 'calcom'")
        assert cursor.fetchone()[0] != before


def test_a_value_without_its_key_is_refused_not_misread(settings):
    stored = encrypt("whsec_abc")
    settings.FIELD_ENCRYPTION_KEYS = ["some-other-field-encryption-key-000001"]
    with pytest.raises(DecryptionFailed):
        decrypt(stored)


def test_values_stored_before_encryption_still_read():
    assert decrypt("plain-from-before") == "plain-from-before"
