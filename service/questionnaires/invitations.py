"""Selectors for invitations: who can be reached on which channel, and which link is still open."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from service.models import AppointmentStatus, Client, Invitation, InvitationStatus, QuestionnaireKind
from service.questionnaires.tokens import TOKEN_LENGTH, token_hash, token_matches

__all__ = ["client_address", "client_channels", "invitation_for_token", "invitation_is_open"]

_OPEN_STATUSES = (InvitationStatus.SENT, InvitationStatus.COMPLETED)


def client_address(client: Client, channel: str) -> str:
    if channel == "email":
        return client.email or ""
    return client.phone.as_e164 if client.phone else ""


def client_channels(client: Client) -> list[str]:
    """The channels the client agreed to and has an address for, email first."""
    agreed = client.contact_channels or []
    return [channel for channel in ("email", "sms") if channel in agreed and client_address(client, channel)]


def invitation_is_open(invitation: Invitation, now: dt.datetime | None = None) -> bool:
    """A link works while it was sent (or answered), has not run out, and its session still stands."""
    now = now or timezone.now()
    if invitation.status not in _OPEN_STATUSES or invitation.expires_at is None or invitation.expires_at <= now:
        return False
    status = invitation.appointment.status
    if invitation.kind == QuestionnaireKind.PRE_SESSION:
        return status == AppointmentStatus.BOOKED and invitation.appointment.start > now
    return status in (AppointmentStatus.BOOKED, AppointmentStatus.COMPLETED)


def invitation_for_token(token: str, *, now: dt.datetime | None = None) -> Invitation | None:
    """The open invitation this token belongs to, or None (unknown, ended, or malformed)."""
    invitation = _known_invitation(token)
    if invitation is None or not invitation_is_open(invitation, now):
        return None
    return invitation


def ended_invitation_for_token(token: str) -> Invitation | None:
    """The invitation of a real link that has ended: its page names the clinic and how to reach it."""
    return _known_invitation(token)


def _known_invitation(token: str) -> Invitation | None:
    if not isinstance(token, str) or len(token) != TOKEN_LENGTH:
        return None
    invitation = (
        Invitation.objects.select_related("clinic", "appointment__client", "appointment__therapist")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if invitation is None or not token_matches(invitation, token):
        return None
    return invitation
