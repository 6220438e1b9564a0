"""A flag nobody acknowledged in the clinic's time goes to the clinic, once, however often the sweep runs."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from booking_integration.models import WebhookEndpoint, WebhookMessage
from service.escalation import flags_escalate_due
from service.flags import flag_acknowledge, flag_raise
from service.models import AuditEvent, Flag, Notification
from tests.conftest import send_notification
from tests.factories import AppointmentFactory

REASONS = [{"rule": "RF-CES", "outcome": "refer_urgently", "client_message": "-", "therapist_message": "-"}]


@pytest.fixture
def harbour(clinic):
    clinic.contact_phone = "+447911123457"
    clinic.save()
    return clinic


def raise_flag(clinic, therapist, client_person, severity: str) -> Flag:
    appointment = AppointmentFactory(clinic=clinic, therapist=therapist, client=client_person)
    return flag_raise(
        appointment=appointment, severity=severity, source="pre_session", kind="red_flag", reasons=REASONS
    )


def escalations(flag: Flag) -> list[tuple[str, str]]:
    rows = Notification.objects.filter(flag=flag, purpose="escalation")
    return sorted(rows.values_list("channel", "recipient"))


def _escalation_ids(flag: Flag) -> list:
    return list(Notification.objects.filter(flag=flag, purpose="escalation").values_list("pk", flat=True))


def later(minutes: float):
    return time_machine.travel(timezone.now() + dt.timedelta(minutes=minutes), tick=False)


@pytest.mark.django_db
def test_a_critical_flag_escalates_once_after_15_minutes(harbour, therapist, client_person):
    WebhookEndpoint.objects.create(clinic=harbour, url="https://booking.example/hook", events=["flag.escalated"])
    flag = raise_flag(harbour, therapist, client_person, "critical")

    with later(14):
        assert flags_escalate_due() == 0
    with later(16):
        assert flags_escalate_due() == 1
        assert flags_escalate_due() == 0  # run again: nothing more

    assert escalations(flag) == [("email", "desk@harbour.example"), ("sms", "+447911123457")]
    assert AuditEvent.objects.filter(object_id=flag.pk, action="flag.escalated").count() == 1
    assert WebhookMessage.objects.filter(clinic=harbour, event_type="flag.escalated").count() == 1


@pytest.mark.django_db
def test_a_warning_waits_for_its_own_time_which_is_a_clinic_setting(harbour, therapist, client_person):
    flag = raise_flag(harbour, therapist, client_person, "warning")
    with later(239):
        assert flags_escalate_due() == 0
    with later(241):
        assert flags_escalate_due() == 1

    harbour.policy = {"escalate_warning_minutes": 30}
    harbour.save()
    sooner = raise_flag(harbour, therapist, client_person, "warning")
    with later(31):
        flags_escalate_due()
    assert escalations(sooner)
    assert escalations(flag)


@pytest.mark.django_db
def test_an_acknowledged_flag_is_never_escalated(harbour, therapist, client_person):
    flag = raise_flag(harbour, therapist, client_person, "critical")
    flag_acknowledge(flag=flag, note="calling the client now")
    with later(60):
        assert flags_escalate_due() == 0
    assert escalations(flag) == []


@pytest.mark.django_db
def test_an_escalation_acknowledged_before_it_was_sent_is_not_sent(harbour, therapist, client_person):
    flag = raise_flag(harbour, therapist, client_person, "critical")
    with later(16):
        flags_escalate_due()
    flag_acknowledge(flag=flag)
    with later(17):
        results = [send_notification(pk) for pk in _escalation_ids(flag)]
    assert results == ["dropped", "dropped"]


@pytest.mark.django_db
def test_escalation_messages_carry_no_health_detail(harbour, therapist, client_person, mailoutbox):
    flag = raise_flag(harbour, therapist, client_person, "critical")
    with later(16):
        flags_escalate_due()
    with later(17):
        for pk in _escalation_ids(flag):
            send_notification(pk)
    (message,) = [m for m in mailoutbox if "not yet acknowledged" in m.subject.lower()]
    assert f"/therapist/flags/{flag.pk}" in message.body
    assert client_person.name not in message.body
    assert "RF-CES" not in message.body


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_sweep_on_two_busy_workers_escalates_once(celery_worker_process, harbour, therapist, client_person):
    from service.tasks import flags_escalation_sweep
    from tests.conftest import drain_worker

    flag = raise_flag(harbour, therapist, client_person, "critical")
    Flag.objects.filter(pk=flag.pk).update(created_at=timezone.now() - dt.timedelta(minutes=20))
    celery_worker_process(concurrency=2)
    for _ in range(4):
        flags_escalation_sweep.delay()
    drain_worker(rounds=3)

    assert AuditEvent.objects.filter(object_id=flag.pk, action="flag.escalated").count() == 1
    assert len(escalations(flag)) == 2
