"""Connects this app's receivers of domain events (questionnaires, alerts).

Each runs inside the transaction that sent the event, so its rows commit with the change.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from service import events


@receiver(events.appointment_booked, dispatch_uid="questionnaires.on_booked")
@receiver(events.appointment_rebooked, dispatch_uid="questionnaires.outcome_on_rebooked")
def _schedule_questionnaires(sender: Any, appointment, **kwargs: Any) -> None:
    from service.questionnaires.scheduling import invitations_schedule, outcome_checks_cancel_before

    invitations_schedule(appointment=appointment)
    outcome_checks_cancel_before(appointment=appointment)


@receiver(events.appointment_rescheduled, dispatch_uid="questionnaires.on_rescheduled")
def _move_questionnaires(sender: Any, appointment, **kwargs: Any) -> None:
    from service.questionnaires.scheduling import invitations_move, invitations_schedule

    invitations_schedule(appointment=appointment)  # an appointment from before questionnaires existed
    invitations_move(appointment=appointment)


@receiver(events.appointment_rebooked, dispatch_uid="questionnaires.on_rebooked")
def _reopen_questionnaires(sender: Any, appointment, **kwargs: Any) -> None:
    from service.questionnaires.scheduling import invitations_reopen

    invitations_reopen(appointment=appointment)


@receiver(events.appointment_cancelled, dispatch_uid="questionnaires.on_cancelled")
@receiver(events.appointment_no_show, dispatch_uid="questionnaires.on_no_show")
def _cancel_questionnaires(sender: Any, appointment, **kwargs: Any) -> None:
    from service.questionnaires.scheduling import invitations_cancel

    invitations_cancel(appointment=appointment)


@receiver(events.appointment_completed, dispatch_uid="questionnaires.on_completed")
def _keep_post_session(sender: Any, appointment, **kwargs: Any) -> None:
    from service.questionnaires.scheduling import invitations_on_complete, outcome_check_schedule

    invitations_on_complete(appointment=appointment)
    outcome_check_schedule(appointment=appointment)


@receiver(events.flag_raised, dispatch_uid="alerts.on_flag_raised")
def _alert_therapist(sender: Any, flag, **kwargs: Any) -> None:
    from service.alerts import flag_alerts_create

    flag_alerts_create(flag=flag)


@receiver(events.appointment_completed, dispatch_uid="outcomes.on_completed")
@receiver(events.appointment_cancelled, dispatch_uid="outcomes.on_cancelled")
@receiver(events.appointment_no_show, dispatch_uid="outcomes.on_no_show")
def _refresh_outcome(sender: Any, appointment, **kwargs: Any) -> None:
    from service.outcomes import outcome_refresh

    outcome_refresh(appointment=appointment)


@receiver(events.questionnaire_completed, dispatch_uid="outcomes.on_questionnaire")
def _refresh_outcome_after_answers(sender: Any, invitation, **kwargs: Any) -> None:
    from service.models import AppointmentStatus
    from service.outcomes import outcome_refresh

    if invitation.appointment.status == AppointmentStatus.COMPLETED:
        outcome_refresh(appointment=invitation.appointment)
