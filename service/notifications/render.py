"""What each notification says: email (subject, text, HTML) or one short text, with no health details.

The templates are notifications/<email|sms>/<purpose>…; what they are given comes from the purpose's
own context hook (service/notifications/purposes.py), so this module knows no purpose.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from django.template.loader import render_to_string

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
    """The session time as people at the clinic read it, e.g. "Friday 14 March 2025 at 10:00 GMT"."""
    local = start.astimezone(clinic.tz)
    return f"{local:%A} {local.day} {local:%B %Y} at {local:%H:%M} {local:%Z}".strip()


def first_name(name: str) -> str:
    return (name or "").strip().split(" ")[0]


def render_notification(notification: Notification, *, renders_as: Literal["email", "text"] = "email") -> Rendered:
    """Render for an email (subject, text, HTML) or a text message (text only)."""
    purpose = notification.purpose
    context = {"clinic_name": notification.clinic.name, "purpose": purpose}
    context.update(get_purpose(purpose).context(notification))
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
