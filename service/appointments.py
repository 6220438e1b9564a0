"""Services that book, move, cancel and close appointments, screening each answer set on the way."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from service import events, people
from service.audit import SYSTEM, Actor, audit_record
from service.exceptions import Conflict, DuplicateExternalId
from service.models import Appointment, AppointmentStatus, Client, Clinic, FlagSource, Screening, Therapist
from service.screenings import screening_open_flag, screening_run

# Outcomes where keeping the booking goes against the screening's advice: the clinic's call, recorded.
ADVISED_AGAINST = frozenset({"refer_urgently", "needs_clearance"})
# A client's id, or what identifies one (external ids, email, name…): matched, else created.
ClientRef = str | Mapping[str, Any]


def _screen(appointment: Appointment, *, answers: Mapping[str, Any], source: str, flag_source: str) -> Screening:
    screening = screening_run(
        clinic=appointment.clinic,
        client=appointment.client,
        therapist=appointment.therapist,
        service=appointment_service(appointment),
        start=appointment.start,
        end=appointment.end,
        answers=answers,
        source=source,
        appointment=appointment,
    )
    appointment.latest_screening = screening
    appointment.save(update_fields=["latest_screening", "updated_at"])
    screening_open_flag(screening=screening, source=flag_source)
    return screening


def appointment_service(appointment: Appointment) -> dict[str, Any]:
    return {
        "name": appointment.service_name,
        "pressure": appointment.service_pressure,
        "duration_minutes": appointment.duration_minutes,
    }


@transaction.atomic
def appointment_book(
    *,
    clinic: Clinic,
    client: Client | ClientRef,
    therapist: Therapist | None,
    service: Mapping[str, Any],
    start: dt.datetime,
    end: dt.datetime,
    answers: Mapping[str, Any],
    external_platform: str = "",
    external_id: str = "",
    external_version: int | None = None,
    external_reschedule_url: str = "",
    source: str = "booking",
) -> Appointment:
    """Store the booking and its first screening; a decision other than proceed opens a flag.

    The client (a row, or a reference matched or created here) and the booking are one transaction:
    a booking refused (its external id is taken) or a screening that fails leaves no client behind.
    """
    if (
        external_id
        and Appointment.objects.filter(
            clinic=clinic, external_platform=external_platform, external_id=external_id
        ).exists()
    ):
        raise DuplicateExternalId
    if not isinstance(client, Client):
        client = people.client_resolve(clinic=clinic, client=client)
    try:
        with transaction.atomic():  # a savepoint: the race on the external id is answered as a conflict
            appointment = Appointment.objects.create(
                clinic=clinic,
                client=client,
                therapist=therapist,
                service_name=service.get("name") or "Massage",
                service_pressure=service.get("pressure") or "medium",
                duration_minutes=int(service.get("duration_minutes") or (end - start).total_seconds() // 60),
                start=start,
                end=end,
                booking_answers=dict(answers),
                external_platform=external_platform,
                external_id=external_id,
                external_version=external_version,
                external_reschedule_url=external_reschedule_url,
            )
    except IntegrityError:
        raise DuplicateExternalId from None
    screening = _screen(appointment, answers=answers, source=source, flag_source=FlagSource.SCREENING)
    if screening.outcome in ADVISED_AGAINST:
        appointment.booked_against_advice = True
        appointment.save(update_fields=["booked_against_advice"])
    events.appointment_booked.send(sender=Appointment, appointment=appointment)
    return appointment


def _locked(appointment: Appointment) -> Appointment:
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("clinic", "client", "therapist")
        .get(pk=appointment.pk)
    )


@transaction.atomic
def appointment_reschedule(
    *, appointment: Appointment, start: dt.datetime, end: dt.datetime, answers: Mapping[str, Any] | None = None
) -> Appointment:
    """Move a booked appointment and screen it again; a move to the same time with no new answers is a no-op."""
    appointment = _locked(appointment)
    if appointment.status != AppointmentStatus.BOOKED:
        raise Conflict(f"A {appointment.status} appointment cannot be moved.")
    if end <= start:
        raise Conflict("The end must come after the start.")
    if appointment.start == start and appointment.end == end and answers is None:
        return appointment
    previous_start, previous_end = appointment.start, appointment.end
    appointment.start, appointment.end = start, end
    appointment.duration_minutes = int((end - start).total_seconds() // 60)
    if answers is not None:
        appointment.booking_answers = dict(answers)
    appointment.save(update_fields=["start", "end", "duration_minutes", "booking_answers", "updated_at"])
    _screen(appointment, answers=appointment.booking_answers, source="reschedule", flag_source=FlagSource.SCREENING)
    events.appointment_rescheduled.send(
        sender=Appointment, appointment=appointment, previous_start=previous_start, previous_end=previous_end
    )
    return appointment


@transaction.atomic
def appointment_rebook(
    *,
    appointment: Appointment,
    start: dt.datetime,
    end: dt.datetime,
    answers: Mapping[str, Any] | None = None,
    actor: Actor = SYSTEM,
) -> Appointment:
    """Book a cancelled appointment again (its platform booked it again): screened, with its questionnaires."""
    appointment = _locked(appointment)
    if appointment.status != AppointmentStatus.CANCELLED:
        raise Conflict(f"A {appointment.status} appointment cannot be booked again.")
    if end <= start:
        raise Conflict("The end must come after the start.")
    appointment.status = AppointmentStatus.BOOKED
    appointment.cancelled_at = None
    appointment.start, appointment.end = start, end
    appointment.duration_minutes = int((end - start).total_seconds() // 60)
    if answers is not None:
        appointment.booking_answers = dict(answers)
    appointment.save(
        update_fields=["status", "cancelled_at", "start", "end", "duration_minutes", "booking_answers", "updated_at"]
    )
    audit_record(
        clinic_id=appointment.clinic_id,
        action="appointment.rebooked",
        actor=actor,
        object_type="appointment",
        object_id=appointment.pk,
    )
    _screen(appointment, answers=appointment.booking_answers, source="booking", flag_source=FlagSource.SCREENING)
    events.appointment_rebooked.send(sender=Appointment, appointment=appointment)
    return appointment


def _close(
    appointment: Appointment, *, status: str, allowed_from: tuple[str, ...], signal, stamp: str | None, actor: Actor
) -> Appointment:
    appointment = _locked(appointment)
    if appointment.status == status:
        return appointment  # asked twice: the first answer stands
    if appointment.status not in allowed_from:
        raise Conflict(f"A {appointment.status} appointment cannot become {status}.")
    appointment.status = status
    fields = ["status", "updated_at"]
    if stamp:
        setattr(appointment, stamp, timezone.now())
        fields.append(stamp)
    appointment.save(update_fields=fields)
    audit_record(
        clinic_id=appointment.clinic_id,
        action=f"appointment.{status}",
        actor=actor,
        object_type="appointment",
        object_id=appointment.pk,
    )
    signal.send(sender=Appointment, appointment=appointment)
    return appointment


@transaction.atomic
def appointment_cancel(*, appointment: Appointment, actor: Actor = SYSTEM) -> Appointment:
    return _close(
        appointment,
        status=AppointmentStatus.CANCELLED,
        allowed_from=(AppointmentStatus.BOOKED,),
        signal=events.appointment_cancelled,
        stamp="cancelled_at",
        actor=actor,
    )


@transaction.atomic
def appointment_complete(*, appointment: Appointment, actor: Actor = SYSTEM) -> Appointment:
    return _close(
        appointment,
        status=AppointmentStatus.COMPLETED,
        allowed_from=(AppointmentStatus.BOOKED, AppointmentStatus.NO_SHOW),
        signal=events.appointment_completed,
        stamp="completed_at",
        actor=actor,
    )


@transaction.atomic
def appointment_mark_no_show(*, appointment: Appointment, actor: Actor = SYSTEM) -> Appointment:
    return _close(
        appointment,
        status=AppointmentStatus.NO_SHOW,
        allowed_from=(AppointmentStatus.BOOKED, AppointmentStatus.COMPLETED),
        signal=events.appointment_no_show,
        stamp=None,
        actor=actor,
    )


@transaction.atomic
def appointment_screen_answers(*, appointment: Appointment, answers: Mapping[str, Any], source: str) -> Screening:
    """Screen a new answer set (a questionnaire's) for this appointment; flags carry `source`."""
    appointment = _locked(appointment)
    return _screen(appointment, answers=answers, source=source, flag_source=source)
