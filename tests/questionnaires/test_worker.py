"""With a real Celery worker, a real SMTP server and the real broker: each message goes out exactly once."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.test import Client as Browser
from django.utils import timezone

from service.appointments import appointment_cancel, appointment_reschedule
from service.models import Flag, Invitation, InvitationStatus, Notification, NotificationStatus
from service.notifications.tasks import notification_sweep, notifications_send
from service.questionnaires.scheduling import invitations_send_batch
from service.questionnaires.tasks import questionnaire_sweep
from tests.conftest import drain_worker, wait_for
from tests.questionnaires.support import FLAG_LINK, book, token_in

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

H = dt.timedelta(hours=1)


@pytest.fixture
def worker(celery_worker_process, smtp_server, settings):
    """Start a worker that mails through the test's SMTP server and writes links to the test's site."""

    def start(concurrency: int = 1):
        return celery_worker_process(
            extra_env={"EMAIL_URL": smtp_server.url, "SITE_URL": settings.SITE_URL, "SMS_BACKEND": "console"},
            concurrency=concurrency,
        )

    return start


def drain(rounds: int = 2) -> None:
    """Wait until the worker has run what was queued, and what that queued in turn."""
    drain_worker(rounds)


def test_booking_three_days_ahead_waits_until_48_hours_before(worker, smtp_server, clinic, therapist, client_person):
    worker()
    appointment = book(clinic=clinic, client=client_person, therapist=therapist, in_hours=72)
    pre = Invitation.objects.get(appointment=appointment, kind="pre_session")
    assert pre.scheduled_for == appointment.start - 48 * H

    questionnaire_sweep.delay()
    drain()
    assert smtp_server.messages == []

    # A day passes: the invitation is due, and the next sweep sends it.
    Invitation.objects.filter(pk=pre.pk).update(scheduled_for=timezone.now() - dt.timedelta(seconds=1))
    questionnaire_sweep.delay()
    wait_for(lambda: smtp_server.to(client_person.email))
    drain()
    assert len(smtp_server.messages) == 1


def test_booking_two_hours_ahead_sends_at_once(worker, smtp_server, clinic, therapist, client_person):
    worker()
    appointment = book(clinic=clinic, client=client_person, therapist=therapist, in_hours=2)
    questionnaire_sweep.delay()

    (message,) = wait_for(lambda: smtp_server.to(client_person.email))
    assert message.message["Subject"] == "A few questions before your session at Harbour Massage Clinic"
    token = token_in(message.text)
    assert token_in(message.html) == token
    local = appointment.start.astimezone(clinic.tz)
    assert f"at {local:%H:%M} {local:%Z}" in message.text
    notification = Notification.objects.get()
    wait_for(lambda: Notification.objects.get().status == NotificationStatus.SENT)
    # The same Message-ID on every attempt (folded onto its own line: it is long).
    assert str(message.message["Message-ID"]).strip() == f"<notification-{notification.id}@sessionguard.local>"


def test_reschedule_moves_and_cancel_stops(worker, smtp_server, clinic, therapist, client_person):
    worker()
    moved_closer = book(clinic=clinic, client=client_person, therapist=therapist, in_hours=24 * 5)
    moved_away = book(clinic=clinic, client=client_person, therapist=therapist, in_hours=3)
    cancelled = book(clinic=clinic, client=client_person, therapist=therapist, in_hours=4)

    soon = timezone.now().replace(microsecond=0) + 6 * H
    appointment_reschedule(appointment=moved_closer, start=soon, end=soon + H)
    later = timezone.now().replace(microsecond=0) + 24 * 6 * H
    appointment_reschedule(appointment=moved_away, start=later, end=later + H)
    appointment_cancel(appointment=cancelled)

    questionnaire_sweep.delay()
    wait_for(lambda: smtp_server.messages)
    drain()
    assert len(smtp_server.messages) == 1
    sent = Invitation.objects.get(appointment=moved_closer, kind="pre_session")
    assert sent.status == InvitationStatus.SENT
    assert sent.expires_at == soon
    assert Invitation.objects.get(appointment=moved_away, kind="pre_session").scheduled_for == later - 48 * H
    assert set(Invitation.objects.filter(appointment=cancelled).values_list("status", flat=True)) == {"cancelled"}
    assert Notification.objects.count() == 1


def test_a_worker_killed_mid_send_sends_nothing_twice(worker, smtp_server, clinic, therapist, client_person):
    first = worker()
    smtp_server.hold()  # the SMTP conversation stalls after it starts, as a slow server would
    book(clinic=clinic, client=client_person, therapist=therapist, in_hours=2)
    questionnaire_sweep.delay()
    assert smtp_server.mail_commands.wait(timeout=30), "the worker never started sending"
    first.kill()
    smtp_server.release()

    notification = Notification.objects.get()
    assert notification.status == NotificationStatus.SENDING
    assert smtp_server.messages == []
    # The dead worker's claim is still good for a while: nobody may take it over before it runs out.
    worker()
    notification_sweep.delay()
    drain()
    assert smtp_server.messages == []

    # Its claim runs out (the lease is minutes long; here time is moved on): the sweep queues it again.
    Notification.objects.filter(pk=notification.pk).update(claimed_until=timezone.now() - dt.timedelta(seconds=1))
    notification_sweep.delay()
    wait_for(lambda: smtp_server.messages)
    notification_sweep.delay()
    drain()
    assert len(smtp_server.messages) == 1
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("sent", 2)


def test_a_duplicated_task_sends_once(worker, smtp_server, clinic, therapist, client_person):
    book(clinic=clinic, client=client_person, therapist=therapist, in_hours=2)
    invitations_send_batch()  # queues one send task after commit
    notification = Notification.objects.get()
    for _ in range(3):
        notifications_send.delay([str(notification.id)])
    notification_sweep.delay()
    questionnaire_sweep.delay()  # and a second sweep finds nothing due
    worker(concurrency=3)

    wait_for(lambda: smtp_server.messages)
    # Once the row is sent no task can claim it again, so no second message can follow.
    wait_for(lambda: Notification.objects.get().status == NotificationStatus.SENT)
    drain()
    assert len(smtp_server.messages) == 1
    assert Notification.objects.count() == 1


def test_the_sweep_picks_up_what_was_never_queued(worker, smtp_server, clinic, therapist, client_person):
    book(clinic=clinic, client=client_person, therapist=therapist, in_hours=2)
    # The broker was down when the batch committed: the row exists, its task was lost.
    with mock.patch("service.notifications.outbox.notifications_queue"):
        invitations_send_batch()
    assert Notification.objects.get().status == NotificationStatus.PENDING
    worker()
    drain()
    assert smtp_server.messages == []

    notification_sweep.delay()
    wait_for(lambda: smtp_server.to(client_person.email))
    drain()
    assert len(smtp_server.messages) == 1


def test_email_link_to_answers_to_flag_to_therapist_alert(worker, smtp_server, clinic, therapist, client_person):
    sam = get_user_model().objects.create_user("sam", password="pw-sam-123456")
    therapist.user = sam
    therapist.save()
    worker()
    appointment = book(
        clinic=clinic,
        client=client_person,
        therapist=therapist,
        in_hours=20,
        answers={"has_sciatica": True, "leg_pain_now": 3, "back_pain_now": 2},
    )
    questionnaire_sweep.delay()

    # The client reads the email and follows its link.
    (invite,) = wait_for(lambda: smtp_server.to(client_person.email))
    token = token_in(invite.text)
    browser = Browser()
    page = browser.get(f"/q/{token}")
    assert page.status_code == 200
    sent = browser.post(f"/q/{token}", {"has_sciatica": "true", "leg_pain_now": "6", "back_pain_now": "2"})
    assert sent.status_code == 302
    result = browser.get(sent["Location"]).content.decode()
    assert "Your pain is higher than when you booked" in result
    assert "This is a screening, not a diagnosis." in result

    flag = Flag.objects.get(appointment=appointment, kind="aggravation")
    assert (flag.severity, flag.source) == ("warning", "pre_session")

    # The therapist is alerted by email, with a link to the flag and nothing about the client's health.
    (alert,) = wait_for(lambda: smtp_server.to(therapist.email))
    assert alert.message["Subject"] == "A session has been flagged: please review"
    assert FLAG_LINK.search(alert.text).group(1) == str(flag.id)
    assert "pain" not in alert.text.lower()
    assert client_person.name not in alert.text
    drain()
    assert len(smtp_server.to(therapist.email)) == 1

    # The link works for the signed-in therapist.
    therapist_browser = Browser()
    therapist_browser.force_login(sam)
    flag_page = therapist_browser.get(f"/therapist/flags/{flag.id}")
    assert flag_page.status_code == 200
    assert "PRE-PAIN-RISE" in flag_page.content.decode()
