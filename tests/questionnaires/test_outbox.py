"""The outbox sends each notification once: claimed by one worker, retried with backoff, errors kept."""

from __future__ import annotations

import datetime as dt
import logging
import re
from urllib.parse import parse_qs

import pytest
from django.core import mail
from django.utils import timezone

from service.models import Notification, NotificationStatus
from service.notifications import outbox
from service.notifications.email import message_id_for
from service.notifications.sms import memory_outbox
from service.questionnaires.scheduling import invitations_send_batch
from tests.booking_integration.fakeapi import FakeApi
from tests.conftest import send_notification
from tests.factories import ClientFactory
from tests.questionnaires.support import book, free_port, token_in

pytestmark = pytest.mark.django_db

ANSWERS = {"has_sciatica": True, "pain_below_knee": True, "leg_pain_now": 6, "concerns": "private words for Sam"}


@pytest.fixture
def sent_invitation(clinic, therapist, client_person):
    appointment = book(clinic=clinic, client=client_person, therapist=therapist, in_hours=2, answers=ANSWERS)
    invitations_send_batch()
    return appointment


def only_notification() -> Notification:
    (notification,) = Notification.objects.all()
    return notification


def test_the_questionnaire_email_has_the_link_and_local_time_and_no_health_details(sent_invitation, clinic):
    notification = only_notification()
    assert send_notification(notification.id) == "sent"

    (message,) = mail.outbox
    assert message.to == ["alex@example.com"]
    assert message.extra_headers["Message-ID"] == message_id_for(notification.id)
    html = message.alternatives[0][0]
    token = token_in(message.body)
    assert token_in(html) == token
    assert f"https://clinic.example/q/{token}" in message.body
    local = sent_invitation.start.astimezone(clinic.tz)
    assert f"at {local:%H:%M} {local:%Z}" in message.body
    for word in ("sciatica", "knee", "private words", "pain"):
        assert word not in message.body.lower()
        assert word not in html.lower()
    notification.refresh_from_db()
    assert (notification.status, notification.attempts, notification.last_error) == ("sent", 1, "")
    assert notification.sent_at is not None


def test_sms_goes_through_the_backend_with_the_link(clinic, therapist):
    person = ClientFactory(clinic=clinic, phone="+447700900123", contact_channels=["sms"])
    book(clinic=clinic, client=person, therapist=therapist, in_hours=2)
    invitations_send_batch()
    notification = only_notification()

    assert send_notification(notification.id) == "sent"
    (sms,) = memory_outbox()
    assert sms.to == "+447700900123"
    assert "https://clinic.example/q/" in sms.body
    assert len(sms.body) < 320


def test_a_second_send_of_the_same_row_does_nothing(sent_invitation):
    notification = only_notification()
    assert send_notification(notification.id) == "sent"
    assert send_notification(notification.id) == "skipped"
    assert len(mail.outbox) == 1


def test_a_row_claimed_by_a_live_worker_is_left_alone_and_a_dead_workers_claim_is_taken_over(sent_invitation):
    notification = only_notification()
    now = timezone.now()
    Notification.objects.filter(pk=notification.pk).update(
        status=NotificationStatus.SENDING, claimed_until=now + dt.timedelta(minutes=2), attempts=1
    )
    assert outbox.notifications_requeue_due() == 0
    assert send_notification(notification.id) == "skipped"

    Notification.objects.filter(pk=notification.pk).update(claimed_until=now - dt.timedelta(seconds=1))
    assert outbox.notifications_requeue_due() == 1
    assert send_notification(notification.id) == "sent"
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.attempts == 2


def test_a_failure_is_kept_and_retried_with_backoff_then_failed_for_good(sent_invitation, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    notification = only_notification()

    waits = []
    for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
        before = timezone.now()
        result = send_notification(notification.id)
        notification.refresh_from_db()
        assert notification.attempts == attempt
        assert "SMTP connection failed" in notification.last_error
        if attempt < outbox.MAX_ATTEMPTS:
            assert (result, notification.status) == ("retry", "pending")
            waits.append(round((notification.next_attempt_at - before).total_seconds() / 60))
            assert send_notification(notification.id) == "skipped"  # not due yet
            Notification.objects.filter(pk=notification.pk).update(next_attempt_at=timezone.now())
        else:
            assert (result, notification.status) == ("failed", "failed")
    assert waits == list(outbox.BACKOFF_MINUTES)
    assert outbox.notifications_requeue_due() == 0


def test_a_client_who_opted_out_gets_nothing_on_that_channel(sent_invitation, client_person):
    client_person.contact_channels = ["sms"]
    client_person.save()
    notification = only_notification()
    assert send_notification(notification.id) == "dropped"
    assert mail.outbox == []
    notification.refresh_from_db()
    assert notification.status == "failed"
    assert "opted out" in notification.last_error


def test_nothing_goes_out_for_a_cancelled_appointment(sent_invitation):
    from service.appointments import appointment_cancel

    appointment_cancel(appointment=sent_invitation)
    assert send_notification(only_notification().id) == "dropped"
    assert mail.outbox == []


def test_the_log_names_the_notification_and_never_the_address_or_link(sent_invitation, caplog):
    caplog.set_level(logging.INFO)
    notification = only_notification()
    send_notification(notification.id)
    text = caplog.text
    assert str(notification.id) in text
    assert "channel=email purpose=questionnaire" in text
    assert "result=sent" in text
    assert "alex@example.com" not in text
    assert "/q/" not in text


def test_twilio_gets_a_form_post_with_basic_auth(settings, clinic, therapist):
    person = ClientFactory(clinic=clinic, phone="+447700900123", contact_channels=["sms"])
    book(clinic=clinic, client=person, therapist=therapist, in_hours=2)
    invitations_send_batch()
    notification = only_notification()
    with FakeApi() as api:
        settings.SMS_BACKEND = "twilio"
        settings.TWILIO_API_BASE = api.base_url
        settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = "AC123", "secret-token"
        settings.TWILIO_FROM_NUMBER = "+447700900999"
        path = "/2010-04-01/Accounts/AC123/Messages.json"
        api.add(path, {"code": 20500}, status=500, method="POST")
        assert send_notification(notification.id) == "retry"
        notification.refresh_from_db()
        assert notification.last_error == "twilio answered 500 20500"

        api.add(path, {"sid": "SM1"}, status=201, method="POST")
        Notification.objects.filter(pk=notification.pk).update(next_attempt_at=timezone.now())
        assert send_notification(notification.id) == "sent"

    request = api.requests[-1]
    form = parse_qs(request.body.decode())
    assert form["To"] == ["+447700900123"]
    assert form["From"] == ["+447700900999"]
    assert re.search(r"https://clinic\.example/q/\S{43}", form["Body"][0])
    assert request.headers["authorization"].startswith("Basic ")


def test_a_number_twilio_refuses_fails_at_once(settings, clinic, therapist):
    person = ClientFactory(clinic=clinic, phone="+447700900123", contact_channels=["sms"])
    book(clinic=clinic, client=person, therapist=therapist, in_hours=2)
    invitations_send_batch()
    notification = only_notification()
    with FakeApi() as api:
        settings.SMS_BACKEND = "twilio"
        settings.TWILIO_API_BASE = api.base_url
        settings.TWILIO_ACCOUNT_SID = "AC123"
        api.add("/2010-04-01/Accounts/AC123/Messages.json", {"code": 21211}, status=400, method="POST")
        assert send_notification(notification.id) == "failed"
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("failed", 1)


def test_endpoint_disabled_email_names_the_url_without_its_query(clinic):
    notification = Notification.objects.create(
        clinic=clinic,
        channel="email",
        purpose="endpoint_disabled",
        recipient=clinic.contact_email,
        dedupe_key="endpoint-disabled:test",
        context={"endpoint_url": "https://hooks.example/in?secret=abc"},
        next_attempt_at=timezone.now(),
    )
    assert send_notification(notification.id) == "sent"
    (message,) = mail.outbox
    assert "https://hooks.example/in" in message.body
    assert "secret=abc" not in message.body
    assert message.to == ["desk@harbour.example"]


def test_a_chunk_sends_each_row_once_and_requeues_what_runs_past_its_budget(clinic, therapist, client_person):
    from unittest import mock

    rows = [
        Notification(
            clinic=clinic,
            channel="email",
            purpose="endpoint_disabled",
            recipient=f"desk{i}@harbour.example",
            dedupe_key=f"chunk-test-{i}",
            context={"endpoint_url": "https://hooks.example/x"},
            next_attempt_at=timezone.now(),
        )
        for i in range(4)
    ]
    Notification.objects.bulk_create(rows)
    ids = [str(row.id) for row in rows]
    assert outbox.notifications_send(notification_ids=ids[:2]) == {"sent": 2}
    assert outbox.notifications_send(notification_ids=ids[:2]) == {"skipped": 2}  # a duplicated task
    with (
        mock.patch.object(outbox, "CHUNK_BUDGET", dt.timedelta(seconds=-1)),
        mock.patch.object(outbox, "notifications_queue") as requeue,
    ):
        assert outbox.notifications_send(notification_ids=ids[2:]) == {"requeued": 2}
    assert sorted(map(str, requeue.call_args.args[0])) == sorted(ids[2:])
    assert Notification.objects.filter(status="sent").count() == 2
    # Released as they were: the next task claims and sends them.
    assert set(Notification.objects.filter(pk__in=ids[2:]).values_list("status", "attempts")) == {("pending", 0)}
    assert outbox.notifications_send(notification_ids=ids[2:]) == {"sent": 2}
