"""Services for tenants: clinics, their API keys and their staff sign-ins."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from service.audit import SYSTEM, Actor, audit_record
from service.models import ApiKey, Clinic, ClinicMembership, EmergencyRegion


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


@transaction.atomic
def clinic_update(*, clinic: Clinic, changes: dict[str, Any], actor: Actor = SYSTEM) -> Clinic:
    """Change a clinic's details; policy overrides merge with those already set. Recorded in the audit log."""
    changes = dict(changes)
    if "policy" in changes:
        changes["policy"] = {**(clinic.policy or {}), **changes["policy"]}
    for field, value in changes.items():
        setattr(clinic, field, value)
    clinic.save(update_fields=list(changes))
    audit_record(
        clinic_id=clinic.pk,
        action="clinic.updated",
        actor=actor,
        object_type="clinic",
        object_id=clinic.pk,
        note=", ".join(sorted(changes)),
    )
    return clinic


@transaction.atomic
def api_key_create(*, clinic: Clinic, name: str = "", actor: Actor = SYSTEM) -> tuple[ApiKey, str]:
    """Issue a key; only its hash is stored, so the raw key returned here is the only copy."""
    raw, prefix, key_hash = ApiKey.generate()
    key = ApiKey.objects.create(clinic=clinic, name=name, prefix=prefix, key_hash=key_hash)
    audit_record(clinic_id=clinic.pk, action="api_key.issued", actor=actor, object_type="api_key", object_id=key.pk)
    return key, raw


@transaction.atomic
def api_key_revoke(*, key: ApiKey, actor: Actor = SYSTEM) -> ApiKey:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit_record(
            clinic_id=key.clinic_id, action="api_key.revoked", actor=actor, object_type="api_key", object_id=key.pk
        )
    return key


def validate_region(value: str) -> str:
    if value not in EmergencyRegion.values:
        raise ValidationError(f"emergency region must be one of {', '.join(EmergencyRegion.values)}")
    return value


# What clinic staff may do in the admin; every list there is limited to their own clinic.
STAFF_GROUP = "Clinic staff"
_STAFF_PERMISSIONS = {
    "service": {
        "clinic": ("view", "change"),
        "apikey": ("view",),
        "therapist": ("view", "add", "change"),
        "client": ("view", "add", "change"),
        "appointment": ("view", "change"),  # change: the admin's cancel / complete / no-show actions
        "screening": ("view",),
        "flag": ("view",),
        "auditevent": ("view",),
        "clinicmembership": ("view",),
    },
    "booking_integration": {
        "integration": ("view",),
        "inbounddelivery": ("view",),
        "webhookendpoint": ("view",),
        "webhookdelivery": ("view",),
    },
}


def staff_group() -> Group:
    """The group that carries clinic staff's admin permissions, made (or brought up to date) on first use."""
    group, _ = Group.objects.get_or_create(name=STAFF_GROUP)
    wanted = Q(pk__in=[])
    for app_label, models in _STAFF_PERMISSIONS.items():
        for model, actions in models.items():
            wanted |= Q(content_type__app_label=app_label, codename__in=[f"{a}_{model}" for a in actions])
    group.permissions.set(Permission.objects.filter(wanted))
    return group


@transaction.atomic
def staff_create(*, clinic: Clinic, email: str, password: str | None = None) -> AbstractBaseUser:
    """A staff sign-in for one clinic (the admin and the therapist pages); the email address is the user name.

    Without a password the account cannot sign in until its owner sets one through a set-password link.
    """
    email = BaseUserManager.normalize_email(email.strip())
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": "Enter a valid email address."}) from None
    user_model = get_user_model()
    if user_model.objects.filter(username__iexact=email).exists():
        raise ValidationError({"email": "A sign-in with this email address exists already."})
    user = user_model(username=email, email=email, is_staff=True)
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from None
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    user.groups.add(staff_group())
    ClinicMembership.objects.create(user=user, clinic=clinic)
    return user


def set_password_link(*, user: AbstractBaseUser) -> str:
    """A one-time link to set a password, valid for PASSWORD_RESET_TIMEOUT (72 hours)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL + reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
