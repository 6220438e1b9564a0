"""A new warning or critical flag alerts the therapist on each channel once, with no health details."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import timezone

from service.alerts import flag_alerts_create
from service.flags import flag_raise
from service.models import Notification, NotificationStatus
from service.notifications import outbox
from service.notifications.sms import memory_outbox
from tests.conftest import send_notification
from tests.factories import AppointmentFactory
from tests.questionnaires.support import FLAG_LINK, free_port

pytestmark = pytest.mark.django_db

REASONS = [
    {
        "rule": "F-AGGRAVATION",
        "outcome": "proceed_with_modifications",
        "client_message": "Thank you for telling us.",
        "therapist_message": "Leg symptoms worse after the session: numbness spreading.",
    }
]


@pytest.fixture
def appointment(clinic, therapist, client_person):
    therapist.phone = "+447700900321"
    therapist.alert_channels = ["email", "sms", "webhook"]
    therapist.save()
    return AppointmentFactory(clinic=clinic, therapist=therapist, client=client_person)


def raise_flag(appointment, severity):
    return flag_raise(
        appointment=appointment, severity=severity, source="post_session", kind="aggravation", reasons=REASONS
    )


def send_all() -> list[str]:
    return [send_notification(n.id) for n in Notification.objects.order_by("created_at")]


def test_a_warning_flag_alerts_the_therapist_by_email_and_sms(appointment, clinic):
    flag = raise_flag(appointment, "warning")

    rows = Notification.objects.filter(flag=flag)
    assert sorted(rows.values_list("channel", "purpose", "recipient")) == [
        ("email", "flag_alert", "sam@harbour.example"),
        ("sms", "flag_alert", "+447700900321"),
    ]
    assert send_all() == ["sent", "sent"]

    (message,) = mail.outbox
    assert message.subject == "A session has been flagged: please review"
    assert FLAG_LINK.search(message.body).group(1) == str(flag.id)
    assert f"https://clinic.example/therapist/flags/{flag.id}" in message.alternatives[0][0]
    local = appointment.start.astimezone(clinic.tz)
    assert f"{local:%H:%M} {local:%Z}" in message.body
    (sms,) = memory_outbox()
    assert f"/therapist/flags/{flag.id}" in sms.body
    for text in (message.body, message.alternatives[0][0], sms.body):
        assert "numbness" not in text.lower()
        assert "leg" not in text.lower()
        assert appointment.client.name not in text


def test_an_info_flag_alerts_nobody(appointment):
    raise_flag(appointment, "info")
    assert not Notification.objects.exists()


def test_a_critical_flag_also_goes_to_the_clinic(appointment):
    flag = raise_flag(appointment, "critical")
    assert sorted(Notification.objects.filter(flag=flag).values_list("purpose", "recipient")) == [
        ("clinic_alert", "desk@harbour.example"),
        ("flag_alert", "+447700900321"),
        ("flag_alert", "sam@harbour.example"),
    ]
    send_all()
    subjects = {m.subject for m in mail.outbox}
    assert subjects == {
        "Urgent: a session has been flagged: please review",
        "Urgent: a session at Harbour Massage Clinic has been flagged: please review",
    }


def test_each_flag_and_channel_is_alerted_once_whatever_is_retried(appointment):
    flag = raise_flag(appointment, "warning")
    flag_alerts_create(flag=flag)
    flag_alerts_create(flag=flag)
    assert Notification.objects.filter(flag=flag).count() == 2
    assert send_all() == ["sent", "sent"]
    assert send_all() == ["skipped", "skipped"]
    assert len(mail.outbox) == 1
    assert len(memory_outbox()) == 1


def test_a_failed_alert_keeps_its_error_and_is_retried_later(appointment, settings):
    appointment.therapist.alert_channels = ["email"]
    appointment.therapist.save()
    flag = raise_flag(appointment, "warning")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2

    (row,) = Notification.objects.filter(flag=flag)
    assert send_notification(row.id) == "retry"
    row.refresh_from_db()
    assert row.status == NotificationStatus.PENDING
    assert row.attempts == 1
    assert row.last_error.startswith("SMTP connection failed")
    assert (row.next_attempt_at - timezone.now()).total_seconds() > 50

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Notification.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    assert outbox.notifications_requeue_due() == 1
    assert send_notification(row.id) == "sent"
    assert len(mail.outbox) == 1


def test_a_therapist_who_turned_off_sms_gets_no_sms(appointment):
    raise_flag(appointment, "warning")
    appointment.therapist.alert_channels = ["email"]
    appointment.therapist.save()
    assert sorted(send_all()) == ["dropped", "sent"]
    assert memory_outbox() == []


def test_a_session_with_no_therapist_alerts_only_the_clinic_when_critical(clinic, client_person):
    appointment = AppointmentFactory(clinic=clinic, client=client_person, therapist=None)
    raise_flag(appointment, "warning")
    assert not Notification.objects.exists()
    raise_flag(appointment, "critical")
    assert list(Notification.objects.values_list("purpose", flat=True)) == ["clinic_alert"]


def test_the_flags_of_one_submission_go_out_as_one_alert_per_channel(appointment, clinic):
    from service.audit import flag_events
    from service.models import Screening

    screening = Screening.objects.create(
        clinic=clinic,
        appointment=appointment,
        client=appointment.client,
        source="pre_session",
        start=appointment.start,
        outcome="reschedule",
        rule_set_name="sciatica",
        rule_set_version="1.1.0",
    )

    def raise_in_submission(severity: str, kind: str):
        return flag_raise(
            appointment=appointment,
            severity=severity,
            source="pre_session",
            kind=kind,
            reasons=REASONS,
            screening=screening,
        )

    flags = [raise_in_submission("warning", kind) for kind in ("screening", "aggravation")]
    critical = raise_in_submission("critical", "red_flag")

    therapist_alerts = Notification.objects.filter(purpose="flag_alert")
    assert sorted(therapist_alerts.values_list("channel", flat=True)) == ["email", "sms"]
    # The one alert speaks for the most severe flag of the submission: urgent, and links to it.
    assert set(therapist_alerts.values_list("flag_id", flat=True)) == {critical.id}
    send_all()
    therapist_mail = [m for m in mail.outbox if m.to == ["sam@harbour.example"]]
    assert [m.subject for m in therapist_mail] == ["Urgent: a session has been flagged: please review"]
    # Every flag of the submission shows that it was alerted.
    histories = flag_events(flag_ids=[f.id for f in [*flags, critical]])
    assert all("alerted" in {e["action"] for e in histories[f.id]} for f in [*flags, critical])


def test_flags_of_separate_submissions_are_alerted_separately(appointment):
    raise_flag(appointment, "warning")
    raise_flag(appointment, "warning")
    assert Notification.objects.filter(purpose="flag_alert", channel="email").count() == 2
