"""Services that write therapists and clients (and their ids on booking platforms)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from service.audit import SYSTEM, Actor, audit_record
from service.db import rows_by_keys
from service.exceptions import Conflict
from service.models import (
    Client,
    ClientExternalId,
    Clinic,
    Notification,
    NotificationChannel,
    NotificationPurpose,
    Therapist,
    TherapistExternalId,
)
from service.notifications.outbox import notifications_create
from service.notifications.purposes import Purpose, register_purpose

THERAPIST_FIELDS = ("name", "email", "phone", "qualifications", "alert_channels", "active")
CLIENT_FIELDS = ("name", "email", "phone", "date_of_birth", "contact_channels", "active")


def _set_external_ids(owner: Therapist | Client, ref_model: type, owner_field: str, ids: Mapping[str, str]) -> None:
    """Replace the owner's platform ids with `ids` (platform -> id); an empty id removes one."""
    current = {ref.platform: ref for ref in ref_model.objects.filter(**{owner_field: owner})}
    for platform, external_id in ids.items():
        ref = current.get(platform)
        if not external_id:
            if ref:
                ref.delete()
        elif ref is None:
            ref_model.objects.create(
                clinic_id=owner.clinic_id, platform=platform, external_id=external_id, **{owner_field: owner}
            )
        elif ref.external_id != external_id:
            ref.external_id = external_id
            ref.save(update_fields=["external_id"])


def _apply(obj: Any, fields: tuple[str, ...], data: Mapping[str, Any]) -> list[str]:
    changed = [name for name in fields if name in data]
    for name in changed:
        setattr(obj, name, data[name])
    return changed


@transaction.atomic
def therapist_create(*, clinic: Clinic, external_ids: Mapping[str, str] | None = None, **data: Any) -> Therapist:
    therapist = Therapist(clinic=clinic)
    _apply(therapist, THERAPIST_FIELDS, data)
    therapist.save()
    if external_ids:
        _set_external_ids(therapist, TherapistExternalId, "therapist", external_ids)
    return therapist


@transaction.atomic
def therapist_update(*, therapist: Therapist, external_ids: Mapping[str, str] | None = None, **data: Any) -> Therapist:
    changed = _apply(therapist, THERAPIST_FIELDS, data)
    if changed:
        therapist.save(update_fields=[*changed, "updated_at"])
    if external_ids is not None:
        _set_external_ids(therapist, TherapistExternalId, "therapist", external_ids)
    return therapist


@transaction.atomic
def client_create(*, clinic: Clinic, external_ids: Mapping[str, str] | None = None, **data: Any) -> Client:
    client = Client(clinic=clinic)
    _apply(client, CLIENT_FIELDS, data)
    client.save()
    if external_ids:
        _set_external_ids(client, ClientExternalId, "client", external_ids)
    return client


@transaction.atomic
def client_update(*, client: Client, external_ids: Mapping[str, str] | None = None, **data: Any) -> Client:
    changed = _apply(client, CLIENT_FIELDS, data)
    if changed:
        client.save(update_fields=[*changed, "updated_at"])
    if external_ids is not None:
        _set_external_ids(client, ClientExternalId, "client", external_ids)
    return client


def client_match(*, clinic: Clinic, external_ids: Mapping[str, str] | None, email: str | None) -> Client | None:
    """Find a client by an external id first, then by email (case-insensitive)."""
    for platform, external_id in (external_ids or {}).items():
        ref = (
            ClientExternalId.objects.filter(clinic=clinic, platform=platform, external_id=external_id)
            .select_related("client")
            .first()
        )
        if ref:
            return ref.client
    if email:
        return Client.objects.filter(clinic=clinic, email__iexact=email).order_by("created_at").first()
    return None


def therapist_match(*, clinic: Clinic, external_ids: Mapping[str, str] | None, email: str | None) -> Therapist | None:
    """Find a therapist by an external id first, then by email (case-insensitive)."""
    for platform, external_id in (external_ids or {}).items():
        ref = (
            TherapistExternalId.objects.filter(clinic=clinic, platform=platform, external_id=external_id)
            .select_related("therapist")
            .first()
        )
        if ref:
            return ref.therapist
    if email:
        return Therapist.objects.filter(clinic=clinic, email__iexact=email).order_by("created_at").first()
    return None


@transaction.atomic
def therapist_invite(*, therapist: Therapist, actor: Actor = SYSTEM) -> Notification:
    """Give the therapist a sign-in (their email address) and email them a one-time set-password link."""
    from django.contrib.auth import get_user_model

    if not therapist.active:
        raise Conflict("This therapist is deactivated.")
    if not therapist.email:
        raise Conflict("Add the therapist's email address first: the invitation is sent there.")
    user_model = get_user_model()
    user = therapist.user
    if user is None:
        username = therapist.email.strip().lower()
        if user_model.objects.filter(username__iexact=username).exists():
            raise Conflict("A sign-in with this email address exists already.")
        user = user_model(username=username, email=username)
        user.set_unusable_password()
        user.save()
        therapist.user = user
        therapist.save(update_fields=["user", "updated_at"])
    now = timezone.now()
    invitation = Notification(
        clinic_id=therapist.clinic_id,
        channel=NotificationChannel.EMAIL,
        purpose=NotificationPurpose.THERAPIST_INVITE,
        recipient=therapist.email,
        dedupe_key=f"invite:{therapist.pk}:{uuid.uuid4().hex}",
        context={"user_id": user.pk},
        next_attempt_at=now,
    )
    notifications_create([invitation])
    audit_record(
        clinic_id=therapist.clinic_id,
        action="therapist.invited",
        actor=actor,
        object_type="therapist",
        object_id=therapist.pk,
    )
    return invitation


def booking_parties(
    *, clinic: Clinic, client_id: Any | None, therapist_id: Any | None
) -> tuple[Client | None, Therapist | None]:
    """The clinic's client and active therapist a booking request names, read in one statement.

    Either is None when not asked for (its id is None) or when the clinic has no such row.
    """
    lookups: list[tuple[type[Client] | type[Therapist], dict[str, Any]]] = []
    if client_id is not None:
        lookups.append((Client, {"pk": client_id, "clinic": clinic}))
    if therapist_id is not None:
        lookups.append((Therapist, {"pk": therapist_id, "clinic": clinic, "active": True}))
    found = iter(rows_by_keys(*lookups) if lookups else ())
    client = next(found) if client_id is not None else None
    therapist = next(found) if therapist_id is not None else None
    return client, therapist  # type: ignore[return-value]


def client_resolve(*, clinic: Clinic, client: str | Mapping[str, Any]) -> Client:
    """An id of the clinic's client, or an object matched by external id, then email, else created."""
    if isinstance(client, str):
        return Client.objects.get(clinic=clinic, pk=client)
    external_ids = {k: v for k, v in (client.get("external_ids") or {}).items() if v}
    found = client_match(clinic=clinic, external_ids=external_ids, email=client.get("email"))
    if found is not None:
        # Fill in what the clinic did not know yet, and remember new platform ids; never overwrite.
        missing = {
            field: client[field]
            for field in ("email", "phone", "date_of_birth")
            if client.get(field) and not getattr(found, field)
        }
        known = {ref.platform for ref in found.external_refs.all()}
        new_ids = {k: v for k, v in external_ids.items() if k not in known}
        if missing or new_ids:
            client_update(client=found, external_ids=new_ids or None, **missing)
        return found
    fields = {
        k: client[k] for k in ("name", "email", "phone", "date_of_birth", "contact_channels", "language") if k in client
    }
    if "contact_channels" not in fields:
        # A booking platform that passes an email or phone had the client's consent to be contacted there.
        fields["contact_channels"] = [c for c, f in (("email", "email"), ("sms", "phone")) if client.get(f)]
    fields.setdefault("name", client.get("email") or "Client")
    return _create_or_theirs(
        lambda: client_create(clinic=clinic, external_ids=external_ids, **fields),
        lambda: client_match(clinic=clinic, external_ids=external_ids, email=client.get("email")),
    )


def _create_or_theirs(create, match):
    """Create, unless another request created the same person a moment ago (two platform deliveries
    for one new client or organiser, at once): then theirs, found again once their insert committed."""
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction goes on either way
            return create()
    except IntegrityError:
        found = match()
        if found is None:
            raise
        return found


def therapist_resolve(
    *, clinic: Clinic, external_ids: Mapping[str, str] | None, email: str | None, name: str = ""
) -> Therapist | None:
    """Match a therapist by external id, then email; create one when there is enough to name them."""
    external_ids = {k: v for k, v in (external_ids or {}).items() if v}
    found = therapist_match(clinic=clinic, external_ids=external_ids, email=email)
    if found is not None:
        return found
    if not (name or email):
        return None
    return _create_or_theirs(
        lambda: therapist_create(
            clinic=clinic,
            external_ids=external_ids,
            name=name or email,
            email=email or "",
            alert_channels=["email"] if email else [],
        ),
        lambda: therapist_match(clinic=clinic, external_ids=external_ids, email=email),
    )


def _therapist_active(notification: Notification, now: dt.datetime) -> str:
    if not Therapist.objects.filter(user_id=notification.context.get("user_id"), active=True).exists():
        return "therapist deactivated"
    return ""


def _invite_context(notification: Notification) -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from service.clinics import set_password_link

    # Made at send time, so the link works for 72 hours from when it arrives.
    user = get_user_model().objects.get(pk=notification.context["user_id"])
    return {"link": set_password_link(user=user), "username": user.get_username()}


register_purpose(
    Purpose(name=NotificationPurpose.THERAPIST_INVITE, not_to_send=_therapist_active, context=_invite_context)
)
