"""The questionnaire's messages in the outbox: when one is still worth sending, and what it says."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings

from service.models import AppointmentStatus, Invitation, InvitationStatus, Notification, NotificationPurpose
from service.models import QuestionnaireKind as Kind
from service.notifications.purposes import Purpose, register_purpose
from service.notifications.render import first_name, session_time_text
from service.questionnaires.selectors import invitation_minutes
from service.questionnaires.tokens import invitation_token
from service.questionnaires.wording import client_language
from service.screenings import clinic_policy

__all__ = ["questionnaire_link"]


def questionnaire_link(invitation: Invitation) -> str:
    return f"{settings.SITE_URL}/q/{invitation_token(invitation)}"


def _not_to_send(notification: Notification, now: dt.datetime) -> str:
    invitation = notification.invitation
    if invitation is None:
        return "no questionnaire"
    appointment = invitation.appointment
    if appointment.status in (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW):
        return f"appointment {appointment.status}"
    if invitation.status != InvitationStatus.SENT:
        return f"questionnaire {invitation.status}"
    if notification.context.get("round") != invitation.token_nonce[:8]:
        return "superseded by a newer link"
    if invitation.expires_at is None or invitation.expires_at <= now:
        return "link ended"
    if invitation.kind == Kind.PRE_SESSION and appointment.start <= now:
        return "session started"
    if notification.channel not in (appointment.client.contact_channels or []):
        return f"client opted out of {notification.channel}"
    return ""


def _context(notification: Notification) -> dict[str, Any]:
    invitation = notification.invitation
    appointment, clinic = invitation.appointment, notification.clinic
    return {
        "kind": invitation.kind,
        "client_first_name": first_name(appointment.client.name),
        "therapist_name": appointment.therapist.name if appointment.therapist else "",
        "session_time": session_time_text(appointment.start, clinic),
        "link": questionnaire_link(invitation),
        "link_days": clinic_policy(clinic).post_session_link_days,
        "minutes": invitation_minutes(invitation),
    }


def _language(notification: Notification) -> str:
    return client_language(notification.invitation.appointment.client, notification.clinic)


for _name in (NotificationPurpose.QUESTIONNAIRE, NotificationPurpose.REMINDER):
    register_purpose(
        Purpose(
            name=_name,
            not_to_send=_not_to_send,
            context=_context,
            # Everything _context and _not_to_send read, so a send makes no query of its own to read it.
            related=("invitation__appointment__client", "invitation__appointment__therapist", "invitation__clinic"),
            language=_language,
        )
    )
