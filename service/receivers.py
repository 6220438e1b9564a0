"""Connects this app's receivers of domain events (questionnaires, alerts).

Each runs inside the transaction that sent the event, so its rows commit with the change.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from service import events


@receiver(events.appointment_booked, dispatch_uid="questionnaires.on_booked")
def _schedule_questionnaires(sender: Any, appointment, **kwargs: Any) -> None:
    from service.questionnaires.scheduling import invitations_schedule

    invitations_schedule(appointment=appointment)


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
    from service.questionnaires.scheduling import invitations_on_complete

    invitations_on_complete(appointment=appointment)


@receiver(events.flag_raised, dispatch_uid="alerts.on_flag_raised")
def _alert_therapist(sender: Any, flag, **kwargs: Any) -> None:
    from service.alerts import flag_alerts_create

    flag_alerts_create(flag=flag)
