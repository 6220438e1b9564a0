"""What each notification says: email (subject, text, HTML) and SMS text, with no health details."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from service.http_client import clean_url_for_log
from service.models import Clinic, Flag, FlagSeverity, Invitation, Notification, NotificationPurpose
from service.screenings import clinic_policy

__all__ = ["Rendered", "flag_link", "questionnaire_link", "render_notification", "session_time_text"]

_INVITATION_PURPOSES = (NotificationPurpose.QUESTIONNAIRE, NotificationPurpose.REMINDER)
_FLAG_PURPOSES = (NotificationPurpose.FLAG_ALERT, NotificationPurpose.CLINIC_ALERT, NotificationPurpose.ESCALATION)


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def session_time_text(start: dt.datetime, clinic: Clinic) -> str:
    """The session time as people at the clinic read it, e.g. "Friday 14 March 2025 at 10:00 GMT"."""
    local = start.astimezone(clinic.tz)
    return f"{local:%A} {local.day} {local:%B %Y} at {local:%H:%M} {local:%Z}".strip()


def questionnaire_link(invitation: Invitation) -> str:
    from service.questionnaires.tokens import invitation_token

    return f"{settings.SITE_URL}/q/{invitation_token(invitation)}"


def flag_link(flag: Flag) -> str:
    return f"{settings.SITE_URL}/therapist/flags/{flag.id}"


def _first_name(name: str) -> str:
    return (name or "").strip().split(" ")[0]


def _context(notification: Notification) -> dict[str, Any]:
    clinic = notification.clinic
    context: dict[str, Any] = {"clinic_name": clinic.name, "purpose": notification.purpose}
    if notification.purpose in _INVITATION_PURPOSES:
        invitation = notification.invitation
        appointment = invitation.appointment
        link_days = clinic_policy(clinic).post_session_link_days
        context.update(
            kind=invitation.kind,
            client_first_name=_first_name(appointment.client.name),
            therapist_name=appointment.therapist.name if appointment.therapist else "",
            session_time=session_time_text(appointment.start, clinic),
            link=questionnaire_link(invitation),
            link_days=link_days,
        )
    elif notification.purpose in _FLAG_PURPOSES:
        flag = notification.flag
        context.update(
            urgent=flag.severity == FlagSeverity.CRITICAL,
            session_time=session_time_text(flag.appointment.start, clinic),
            link=flag_link(flag),
        )
    elif notification.purpose == NotificationPurpose.THERAPIST_INVITE:
        from django.contrib.auth import get_user_model

        from service.clinics import set_password_link

        # Made at send time, so the link works for 72 hours from when it arrives.
        user = get_user_model().objects.get(pk=notification.context["user_id"])
        context.update(link=set_password_link(user=user), username=user.get_username())
    elif notification.purpose == NotificationPurpose.ENDPOINT_DISABLED:
        # Only scheme, host and path: a query string may hold a secret.
        context["endpoint_url"] = clean_url_for_log(str(notification.context.get("endpoint_url", "")))
    return context


def render_notification(notification: Notification) -> Rendered:
    """Render from templates under notifications/<channel>/<purpose>…; SMS has text only."""
    context = _context(notification)
    purpose = notification.purpose
    if notification.channel == "sms":
        text = render_to_string(f"notifications/sms/{purpose}.txt", context).strip()
        return Rendered(subject="", text=" ".join(text.split()), html="")
    subject = render_to_string(f"notifications/email/{purpose}_subject.txt", context)
    return Rendered(
        subject=" ".join(subject.split()),
        text=render_to_string(f"notifications/email/{purpose}.txt", context).strip() + "\n",
        html=render_to_string(f"notifications/email/{purpose}.html", context),
    )
