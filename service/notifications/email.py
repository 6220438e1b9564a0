"""Email through Django's mail (SMTP from EMAIL_URL): HTML and text, a Message-ID fixed per notification."""

from __future__ import annotations

import smtplib
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from service.notifications.render import Rendered

__all__ = ["EmailError", "message_id_for", "send_email"]


class EmailError(Exception):
    """A send that did not happen; `permanent` says whether retrying can help."""

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent


def message_id_for(notification_id: object) -> str:
    """The same Message-ID on every attempt, so a mail system can drop a copy sent twice."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "sessionguard.local"
    return f"<notification-{notification_id}@{domain}>"


def send_email(*, notification_id: object, to: str, rendered: Rendered) -> str:
    """Send one message to one address; return its Message-ID or raise EmailError."""
    message_id = message_id_for(notification_id)
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={"Message-ID": message_id, "Auto-Submitted": "auto-generated"},
        connection=get_connection(fail_silently=False),
    )
    if rendered.html:
        message.attach_alternative(rendered.html, "text/html")
    try:
        message.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as exc:
        raise EmailError("recipient refused", permanent=True) from exc
    except smtplib.SMTPResponseException as exc:
        # 5xx is the server's final word; 4xx is "try again later".
        raise EmailError(f"SMTP {exc.smtp_code}", permanent=500 <= exc.smtp_code < 600) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise EmailError(f"SMTP connection failed: {type(exc).__name__}") from exc
    return message_id
