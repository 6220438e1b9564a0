"""What each notification says: email (subject, text, HTML) or one short text, with no health details.

The templates are notifications/<email|sms>/<purpose>…; what they are given comes from the purpose's
own context hook (service/notifications/purposes.py), so this module knows no purpose.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from django.template.loader import render_to_string
from django.utils import dateformat, translation
from django.utils.translation import gettext

from service.models import Clinic, Notification
from service.notifications.purposes import get_purpose

__all__ = ["Rendered", "first_name", "render_notification", "session_time_text"]

# Templates of text-only transports live under sms/, the first of them.
_TEMPLATE_DIR = {"email": "email", "text": "sms"}


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def session_time_text(start: dt.datetime, clinic: Clinic) -> str:
    """The session time as people at the clinic read it, in the active language: "Friday 14 March 2025
    at 10:00 GMT", "viernes 14 de marzo de 2025 a las 10:00 GMT"."""
    return dateformat.format(start.astimezone(clinic.tz), gettext(r"l j F Y \a\t H:i T")).strip()


def first_name(name: str) -> str:
    return (name or "").strip().split(" ")[0]


def render_notification(notification: Notification, *, renders_as: Literal["email", "text"] = "email") -> Rendered:
    """Render for an email (subject, text, HTML) or a text message (text only)."""
    purpose, clinic = notification.purpose, notification.clinic
    hooks = get_purpose(purpose)
    language = (hooks.language(notification) if hooks.language else "") or "en"
    with translation.override(language):
        context = {
            "clinic_name": clinic.name,
            "clinic_phone": clinic.contact_phone.as_international if clinic.contact_phone else "",
            "clinic_website": clinic.website,
            "purpose": purpose,
        }
        context.update(hooks.context(notification))
        return _render(purpose, context, renders_as)


def _render(purpose: str, context: dict, renders_as: Literal["email", "text"]) -> Rendered:
    folder = _TEMPLATE_DIR[renders_as]
    if renders_as == "text":
        text = render_to_string(f"notifications/{folder}/{purpose}.txt", context).strip()
        return Rendered(subject="", text=" ".join(text.split()), html="")
    subject = render_to_string(f"notifications/{folder}/{purpose}_subject.txt", context)
    return Rendered(
        subject=" ".join(subject.split()),
        text=render_to_string(f"notifications/{folder}/{purpose}.txt", context).strip() + "\n",
        html=render_to_string(f"notifications/{folder}/{purpose}.html", context),
    )
