"""Email through Django's mail (SMTP from EMAIL_URL): HTML and text, a Message-ID fixed per notification."""

from __future__ import annotations

import smtplib
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from service.exceptions import TransportError
from service.models import Notification
from service.notifications.render import Rendered
from service.notifications.transports import Transport

__all__ = ["EmailTransport", "message_id_for", "send_email"]


def message_id_for(notification_id: object) -> str:
    """The same Message-ID on every attempt, so a mail system can drop a copy sent twice."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "sessionguard.local"
    return f"<notification-{notification_id}@{domain}>"


def from_address(sender_name: str) -> str:
    """DEFAULT_FROM_EMAIL's address under the clinic's own name ("Harbour Massage <no-reply@…>")."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    sender_name = " ".join((sender_name or name).split())  # never a line break in a header
    return formataddr((sender_name, address)) if sender_name else address


def send_email(
    *, notification_id: object, to: str, rendered: Rendered, sender_name: str = "", reply_to: str = ""
) -> str:
    """Send one message to one address; return its Message-ID or raise TransportError."""
    message_id = message_id_for(notification_id)
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=from_address(sender_name),
        reply_to=[reply_to] if reply_to else None,
        to=[to],
        headers={"Message-ID": message_id, "Auto-Submitted": "auto-generated"},
        connection=get_connection(fail_silently=False),
    )
    if rendered.html:
        message.attach_alternative(rendered.html, "text/html")
    try:
        message.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as exc:
        raise TransportError("recipient refused", permanent=True) from exc
    except smtplib.SMTPResponseException as exc:
        # 5xx is the server's final word; 4xx is "try again later".
        raise TransportError(f"SMTP {exc.smtp_code}", permanent=500 <= exc.smtp_code < 600) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise TransportError(f"SMTP connection failed: {type(exc).__name__}") from exc
    return message_id


class EmailTransport(Transport):
    """Email through Django's mail connection (SMTP from EMAIL_URL)."""

    renders_as = "email"

    def send(self, notification: Notification, rendered: Rendered) -> str:
        clinic = notification.clinic
        return send_email(
            notification_id=notification.id,
            to=notification.recipient,
            rendered=rendered,
            sender_name=clinic.name,
            reply_to=clinic.contact_email,
        )
