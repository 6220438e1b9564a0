"""Helpers for the questionnaire, alert and therapist-page tests: booking, a real SMTP server, links."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import re
import socket
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from django.utils import timezone

from service.appointments import appointment_book
from service.models import Appointment, Client, Clinic, Therapist

SERVICE = {"name": "Remedial massage", "pressure": "medium", "duration_minutes": 60}
LINK = re.compile(r"https?://[^\s\"<>]+/q/([A-Za-z0-9_-]{43})")
FLAG_LINK = re.compile(r"https?://[^\s\"<>]+/therapist/flags/([0-9a-f-]{36})")


def book(
    *,
    clinic: Clinic,
    client: Client,
    therapist: Therapist | None,
    start: dt.datetime | None = None,
    in_hours: float | None = None,
    answers: dict[str, Any] | None = None,
    minutes: int = 60,
) -> Appointment:
    """Book through the real service, so every receiver of appointment_booked runs."""
    if start is None:
        start = timezone.now().replace(microsecond=0) + dt.timedelta(hours=in_hours if in_hours is not None else 72)
    return appointment_book(
        clinic=clinic,
        client=client,
        therapist=therapist,
        service=SERVICE,
        start=start,
        end=start + dt.timedelta(minutes=minutes),
        answers=answers or {},
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part else ""

    @property
    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        return part.get_content() if part else ""


class SmtpServer:
    """A real SMTP server on loopback (aiosmtpd). `hold()` makes it stall before accepting a sender."""

    def __init__(self) -> None:
        self.messages: list[Received] = []
        self.port = free_port()
        self.mail_commands = threading.Event()  # set when a client has said MAIL FROM
        self._release = threading.Event()
        self._release.set()
        self._lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def hold(self) -> None:
        self._release.clear()

    def release(self) -> None:
        self._release.set()

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self.mail_commands.set()
        while not self._release.is_set():
            await asyncio.sleep(0.05)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self._lock:
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        with self._lock:
            return [m for m in self.messages if address in m.rcpt_tos]

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()
        self.controller.stop()


def token_in(text: str) -> str:
    match = LINK.search(text)
    assert match, "no questionnaire link in the message"
    return match.group(1)


def open_link(*, clinic: Clinic, client: Client, therapist: Therapist | None, kind: str, answers=None, in_hours=30):
    """Book, let the sweep send the `kind` questionnaire, and return (appointment, token)."""
    from service.models import Invitation
    from service.questionnaires.scheduling import invitations_send_batch
    from service.questionnaires.tokens import invitation_token

    appointment = book(clinic=clinic, client=client, therapist=therapist, in_hours=in_hours, answers=answers)
    when = timezone.now() if kind == "pre_session" else appointment.end + dt.timedelta(hours=25)
    invitations_send_batch(now=when)
    invitation = Invitation.objects.get(appointment=appointment, kind=kind)
    assert invitation.status == "sent"
    return appointment, invitation_token(invitation)
