"""Encryption at rest for the secrets the service must be able to read back (signing secrets, platform keys).

Keys come from FIELD_ENCRYPTION_KEY: each string is stretched with HKDF-SHA256 into a Fernet key
(AES-128-CBC with HMAC-SHA256). The first key encrypts; every key decrypts, so a new key can be put
first and the stored values re-encrypted (`manage.py rotate_field_encryption`) before the old one goes.
"""

from __future__ import annotations

import base64
import json
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models

PREFIX = "enc:v1:"


class DecryptionFailed(Exception):
    """No configured key opens a stored value: FIELD_ENCRYPTION_KEY lost the key it was encrypted with."""


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    derived = []
    for key in keys:
        hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"sessionguard-field-encryption", info=b"fernet")
        derived.append(Fernet(base64.urlsafe_b64encode(hkdf.derive(key.encode()))))
    return MultiFernet(derived)


def _keys() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(plain: str) -> str:
    return PREFIX + _keys().encrypt(plain.encode()).decode()


def decrypt(stored: str) -> str:
    """The plain text of a stored value; a value from before encryption (no prefix) is returned as it is."""
    if not stored.startswith(PREFIX):
        return stored
    try:
        return _keys().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        raise DecryptionFailed("no key in FIELD_ENCRYPTION_KEY opens this value") from None


def reencrypt(stored: str) -> str:
    """The value under the first key (what rotation writes back)."""
    return encrypt(decrypt(stored)) if stored else stored


class EncryptedTextField(models.TextField):
    """Text kept encrypted in the database and plain in Python; an empty string stays empty."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        return decrypt(value) if value else value

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return encrypt(value) if value else value


class EncryptedJSONField(models.TextField):
    """A JSON object kept encrypted in the database (it may hold API keys); a dict in Python."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default", dict)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        return json.loads(decrypt(value)) if value else {}

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            return json.loads(decrypt(value)) if value else {}
        return value

    def get_prep_value(self, value: Any) -> Any:
        return encrypt(json.dumps(value if value is not None else {}, sort_keys=True))

    def value_to_string(self, obj: Any) -> str:
        return json.dumps(self.value_from_object(obj))
