"""Services for tenants: clinics and their API keys."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from service.models import ApiKey, Clinic, EmergencyRegion


@transaction.atomic
def clinic_create(
    *,
    name: str,
    timezone_name: str = "UTC",
    emergency_region: str = EmergencyRegion.GENERIC,
    contact_email: str = "",
) -> tuple[Clinic, str]:
    """Create a clinic and its first API key; return the clinic and the raw key (shown once)."""
    clinic = Clinic(name=name, timezone=timezone_name, emergency_region=emergency_region, contact_email=contact_email)
    clinic.full_clean()
    clinic.save()
    _, raw = api_key_create(clinic=clinic, name="first key")
    return clinic, raw


def api_key_create(*, clinic: Clinic, name: str = "") -> tuple[ApiKey, str]:
    """Issue a key; only its hash is stored, so the raw key returned here is the only copy."""
    raw, prefix, key_hash = ApiKey.generate()
    key = ApiKey.objects.create(clinic=clinic, name=name, prefix=prefix, key_hash=key_hash)
    return key, raw


def api_key_revoke(*, key: ApiKey) -> ApiKey:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


def validate_region(value: str) -> str:
    if value not in EmergencyRegion.values:
        raise ValidationError(f"emergency region must be one of {', '.join(EmergencyRegion.values)}")
    return value
