"""API-key authentication: `Authorization: Bearer <key>`; the key's clinic scopes every query."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions
from rest_framework.request import Request

from service.client_ip import client_ip
from service.models import ApiKey, Clinic
from service.models.clinics import hash_api_key

logger = logging.getLogger("sessionguard.api")

# Writing last_used_at on every call would put a write on the hot path; once in a while is enough.
LAST_USED_GRANULARITY = timedelta(minutes=5)


@dataclass(frozen=True)
class ClinicPrincipal:
    """What `request.user` is for an API call: the clinic the key belongs to."""

    clinic: Clinic
    is_authenticated: bool = True
    is_anonymous: bool = False

    @property
    def pk(self) -> str:
        return str(self.clinic.pk)


class _FailedKeys:
    """Failed API keys per client address in a fixed window, kept in the cache; a cache that is down counts nothing."""

    def __init__(self, request: Request) -> None:
        window = int(time.time() // settings.API_KEY_FAILURE_WINDOW_SECONDS)
        self.key = f"api-key-failures:{client_ip(request)}:{window}"

    def over_limit(self) -> bool:
        try:
            return (cache.get(self.key) or 0) > settings.API_KEY_FAILURE_LIMIT
        except Exception as exc:  # fail open: a cache outage must not lock every clinic out
            logger.warning("API key throttle skipped: cache unavailable (%s)", type(exc).__name__)
            return False

    def count(self) -> None:
        try:
            cache.add(self.key, 0, timeout=settings.API_KEY_FAILURE_WINDOW_SECONDS * 2)
            cache.incr(self.key)
        except Exception as exc:
            logger.warning("API key failure not counted: cache unavailable (%s)", type(exc).__name__)


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[ClinicPrincipal, ApiKey] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise exceptions.AuthenticationFailed("Use the header Authorization: Bearer <api key>.")
        key = ApiKey.objects.active().select_related("clinic").filter(key_hash=hash_api_key(raw.strip())).first()
        if key is None:
            # Counted only on failure, so a good key costs no cache round trip on the hot path.
            failures = _FailedKeys(request)
            failures.count()
            if failures.over_limit():
                raise exceptions.Throttled(
                    wait=settings.API_KEY_FAILURE_WINDOW_SECONDS,
                    detail="Too many requests with a bad API key from this address; try again later.",
                )
            raise exceptions.AuthenticationFailed("The API key is not valid or has been revoked.")
        now = timezone.now()
        if key.last_used_at is None or now - key.last_used_at > LAST_USED_GRANULARITY:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        return ClinicPrincipal(key.clinic), key

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class IsClinic(permissions.BasePermission):
    """Every /api/v1/ view but the public questionnaire ones needs a clinic's key."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, ApiKey)


def request_clinic(request: Request) -> Clinic:
    return request.auth.clinic


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "service.api.auth.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A clinic's API key, from `manage.py create_clinic` or `create_api_key`.",
        }
