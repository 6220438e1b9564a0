"""Invitations follow the appointment: scheduled on booking, moved, cancelled; the sweep sends each once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from service.appointments import (
    appointment_cancel,
    appointment_complete,
    appointment_mark_no_show,
    appointment_reschedule,
)
from service.models import (
    Flag,
    FlagKind,
    FlagSeverity,
    Invitation,
    InvitationStatus,
    Notification,
    NotificationPurpose,
)
from service.questionnaires.invitations import invitation_for_token
from service.questionnaires.scheduling import (
    invitations_close_batch,
    invitations_remind_batch,
    invitations_send_batch,
    questionnaire_sweep_run,
)
from service.questionnaires.tokens import invitation_token, token_hash
from tests.factories import ClientFactory
from tests.questionnaires.support import book

pytestmark = pytest.mark.django_db

H = dt.timedelta(hours=1)


def invitations(appointment) -> dict[str, Invitation]:
    return {i.kind: i for i in Invitation.objects.filter(appointment=appointment)}


def test_booking_three_days_ahead_schedules_at_start_minus_48_hours(clinic, therapist, client_person):
    appointment = book(clinic=clinic, client=client_person, therapist=therapist, in_hours=72)

    found = invitations(appointment)
    assert found["pre_session"].scheduled_for == appointment.start - 48 * H
    assert found["pre_session"].status == InvitationStatus.SCHEDULED
    assert found["post_session"].scheduled_for == appointment.end + 24 * H
    assert invitations_send_batch() == 0  # nothing due yet


def test_booking_two_hours_ahead_sends_at_once(clinic, therapist, client_person):
    before = timezone.now()
    appointment = book(clinic=clinic, client=client_person, therapist=therapist, in_hours=2)

    pre = invitations(appointment)["pre_session"]
    assert before <= pre.scheduled_for <= timezone.now()
    assert invitations_send_batch() == 1
    pre.refresh_from_db()
    assert pre.status == InvitationStatus.SENT
    assert pre.expires_at == appointment.start
    assert pre.reminder_due_at is None  # already inside the reminder window: the first message is enough
    (notification,) = Notification.objects.filter(invitation=pre)
    assert (notification.channel, notification.purpose, notification.recipient) == (
        "email",
        NotificationPurpose.QUESTIONNAIRE,
        client_person.email,
    )


def test_clinic_policy_changes_the_timings(clinic, therapist, client_person):
    clinic.policy = {"pre_session_hours": 24, "post_session_hours": 6}
    clinic.save()
    appointment = book(clinic=clinic, client=client_person, therapist=therapist, in_hours=72)
    found = invitations(appointment)
    assert found["pre_session"].scheduled_for == appointment.start - 24 * H
    assert found["post_session"].scheduled_for == appointment.end + 6 * H


def test_reschedule_moves_the_invitations(clinic, therapist, client_person):
    appointment = book(clinic=clinic, client=client_person, therapist=therapist, in_hours=72)
    new_start = appointment.start + 48 * H
    appointment_reschedule(appointment=appointment, start=new_start, end=new_start + H)

    found = invitations(appointment)
    assert found["pre_session"].scheduled_for == new_start - 48 * H
    assert found["post_session"].scheduled_for == new_start + H + 24 * H


def test_a_sent_link_ends_when_the_session_moves_far_enough_to_ask_again(clinic, therapist, client_person):
    appointment = book(clinic=clinic, client=client_person, therapist=therapist, in_hours=30)
    invitations_send_batch()
    pre = invitations(appointment)["pre_session"]
    old_token = invitation_token(pre)
    assert invitation_for_token(old_token) is not None

    new_start = appointment.start + 7 * 24 * H
    appointment_reschedule(appointment=appointment, start=new_start, end=new_start + H)

    pre.refresh_from_db()
    assert pre.status == InvitationStatus.SCHEDULED
    assert pre.scheduled_for == new_start - 48 * H
    assert invitation_for_token(old_token) is None
    # Sent again nearer the new start, with a new link and a new notification.
    invitations_send_batch(now=new_start - 47 * H)
    pre.refresh_from_db()
    assert invitation_token(pre) != old_token
    assert Notification.objects.filter(invitation=pre, purpose="questionnaire").count() == 2


def test_cancel_stops_every_invitation_and_ends_the_links(clinic, therapist, client_person):
    appointment = book(clinic=clinic, client=client_person, therapist=therapist, in_hours=2)
    invitations_send_batch()
    token = invitation_token(invitations(appointment)["pre_session"])

    appointment_cancel(appointment=appointment)

    assert {i.status for i in invitations(appointment).values()} == {InvitationStatus.CANCELLED}
    assert invitation_for_token(token) is None
    assert questionnaire_sweep_run(now=timezone.now() + 30 * 24 * H)["sent"] == 0


def test_no_show_cancels_the_post_session_questionnaire_and_completed_keeps_it(clinic, therapist, client_person):
    kept = book(clinic=clinic, client=client_person, therapist=therapist, in_hours=2)
    missed = book(clinic=clinic, client=client_person, therapist=therapist, in_hours=5)
    appointment_complete(appointment=kept)
    appointment_mark_no_show(appointment=missed)

    assert invitations(kept)["post_session"].status == InvitationStatus.SCHEDULED
    assert invitations(missed)["post_session"].status == InvitationStatus.CANCELLED
    # A no-show corrected to completed gets its follow-up back.
    appointment_complete(appointment=missed)
    assert invitations(missed)["post_session"].status == InvitationStatus.SCHEDULED


def test_post_session_link_lasts_the_clinics_days_after_sending(clinic, therapist, client_person):
    appointment = book(clinic=clinic, client=client_person, therapist=therapist, in_hours=2)
    send_at = appointment.end + 25 * H
    invitations_send_batch(now=send_at)
    post = invitations(appointment)["post_session"]
    assert post.status == InvitationStatus.SENT
    assert post.expires_at == send_at + dt.timedelta(days=7)
    invitations_close_batch(now=send_at + dt.timedelta(days=7, seconds=1))
    post.refresh_from_db()
    assert post.status == InvitationStatus.EXPIRED


def test_a_client_with_no_usable_channel_gets_none_and_the_appointment_an_info_flag(clinic, therapist):
    # Agreed to SMS but has no phone number; has an email but did not agree to it.
    person = ClientFactory(clinic=clinic, email="quiet@example.com", phone="", contact_channels=["sms"])
    appointment = book(clinic=clinic, client=person, therapist=therapist, in_hours=72)

    assert {i.status for i in invitations(appointment).values()} == {InvitationStatus.UNREACHABLE}
    (flag,) = Flag.objects.filter(appointment=appointment, kind=FlagKind.UNREACHABLE)
    assert flag.severity == FlagSeverity.INFO
    assert questionnaire_sweep_run(now=appointment.end + 48 * H)["sent"] == 0
    assert not Notification.objects.exists()


def test_a_client_gets_one_notification_per_channel_they_agreed_to(clinic, therapist):
    both = ClientFactory(clinic=clinic, phone="+447700900123", contact_channels=["email", "sms"])
    sms_only = ClientFactory(clinic=clinic, phone="+447700900456", contact_channels=["sms"])
    first = book(clinic=clinic, client=both, therapist=therapist, in_hours=2)
    second = book(clinic=clinic, client=sms_only, therapist=therapist, in_hours=3)
    invitations_send_batch()

    assert sorted(Notification.objects.filter(invitation__appointment=first).values_list("channel", "recipient")) == [
        ("email", both.email),
        ("sms", "+447700900123"),
    ]
    assert list(Notification.objects.filter(invitation__appointment=second).values_list("channel", flat=True)) == [
        "sms"
    ]


def test_the_token_is_long_random_and_only_its_hash_is_stored(clinic, therapist, client_person):
    appointment = book(clinic=clinic, client=client_person, therapist=therapist, in_hours=2)
    invitations_send_batch()
    pre = invitations(appointment)["pre_session"]
    token = invitation_token(pre)

    assert len(token) >= 22  # 128 bits in base64url; ours carries 256
    assert pre.token_hash == token_hash(token) != token
    stored = [str(v) for v in Invitation.objects.filter(pk=pre.pk).values().first().values()]
    assert token not in stored
    assert not Notification.objects.filter(context__icontains=token).exists()
    assert invitation_for_token(token) == pre
    assert invitation_for_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    # It ends when the session starts.
    assert invitation_for_token(token, now=appointment.start) is None


def test_one_reminder_when_unanswered_24_hours_before(clinic, therapist, client_person):
    appointment = book(clinic=clinic, client=client_person, therapist=therapist, in_hours=72)
    invitations_send_batch(now=appointment.start - 48 * H)
    pre = invitations(appointment)["pre_session"]
    assert pre.reminder_due_at == appointment.start - 24 * H

    assert invitations_remind_batch(now=appointment.start - 25 * H) == 0
    assert invitations_remind_batch(now=appointment.start - 24 * H) == 1
    assert invitations_remind_batch(now=appointment.start - 23 * H) == 0
    reminders = Notification.objects.filter(invitation=pre, purpose=NotificationPurpose.REMINDER)
    assert reminders.count() == 1


def test_unanswered_at_the_start_opens_an_info_flag(clinic, therapist, client_person):
    appointment = book(clinic=clinic, client=client_person, therapist=therapist, in_hours=2)
    invitations_send_batch()
    assert invitations_close_batch(now=appointment.start - H) == 0
    assert invitations_close_batch(now=appointment.start) == 1
    assert invitations_close_batch(now=appointment.start + H) == 0

    (flag,) = Flag.objects.filter(appointment=appointment, kind=FlagKind.UNANSWERED)
    assert (flag.severity, flag.source) == ("info", "pre_session")
    assert invitations(appointment)["pre_session"].status == InvitationStatus.EXPIRED


def test_a_second_sweep_makes_no_second_notification(clinic, therapist, client_person):
    appointment = book(clinic=clinic, client=client_person, therapist=therapist, in_hours=2)
    assert invitations_send_batch() == 1
    assert invitations_send_batch() == 0
    # Even a row put back by hand (a replayed batch) cannot make a second notification in the same round.
    Invitation.objects.filter(appointment=appointment, kind="pre_session").update(status=InvitationStatus.SCHEDULED)
    pre = invitations(appointment)["pre_session"]
    from service.notifications.outbox import notifications_create
    from service.questionnaires.scheduling import _notification

    notifications_create([_notification(pre, "questionnaire", "email", timezone.now())])
    assert Notification.objects.filter(invitation=pre).count() == 1


def _due_invitations(clinic, therapist, count: int) -> None:
    people = ClientFactory.create_batch(count, clinic=clinic)
    for person in people:
        book(clinic=clinic, client=person, therapist=therapist, in_hours=10)


@pytest.mark.parametrize("due", [5, 50])
def test_the_sweeps_query_count_does_not_grow_with_the_batch(clinic, therapist, due, django_assert_num_queries):
    _due_invitations(clinic, therapist, due)
    # Not due: the table is larger than the batch.
    for person in ClientFactory.create_batch(5, clinic=clinic):
        book(clinic=clinic, client=person, therapist=therapist, in_hours=24 * 10)

    # The sweep's own queries: savepoint, locked read with joins, bulk update, bulk insert, ids, release;
    # and the outbound webhooks for the whole batch: one endpoint lookup, messages, deliveries.
    from booking_integration.models import WebhookDelivery, WebhookEndpoint

    WebhookEndpoint.objects.create(clinic=clinic, url="https://hooks.example/sg", events=["questionnaire.sent"])
    with django_assert_num_queries(9):
        assert invitations_send_batch(batch_size=100) == due
    assert Notification.objects.count() == due
    assert WebhookDelivery.objects.filter(message__event_type="questionnaire.sent").count() == due


def test_one_clinics_broken_policy_does_not_stop_the_sweep(clinic, therapist, client_person):
    from service.models import Clinic

    book(clinic=clinic, client=client_person, therapist=therapist, in_hours=2)
    # Written straight to the table, as a bad admin edit would be.
    Clinic.objects.filter(pk=clinic.pk).update(policy={"pre_session_hours": "two days"})
    assert invitations_send_batch() == 1
    assert Notification.objects.count() == 1
