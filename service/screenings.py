"""Screening with the database around it: the context the pure engine needs, and the stored result."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from service import events, people
from service.models import (
    Appointment,
    AppointmentStatus,
    Client,
    Clinic,
    Flag,
    FlagKind,
    FlagStatus,
    Screening,
    Therapist,
)
from service.screening.engine import (
    RULE_SET_NAME,
    RULE_SET_VERSION,
    AggravationFlag,
    Decision,
    History,
    ScreeningContext,
    screen,
)
from service.screening.policy import ClinicPolicy


def clinic_policy(clinic: Clinic) -> ClinicPolicy:
    """The clinic's policy: its overrides on the defaults, worded for its region."""
    return ClinicPolicy.from_dict({**(clinic.policy or {}), "emergency_region": clinic.emergency_region})


def client_age(client: Client, on: dt.date) -> int | None:
    born = client.date_of_birth
    if born is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def client_history(
    *, client: Client, before: dt.datetime, policy: ClinicPolicy, exclude_appointment: Appointment | None = None
) -> History | None:
    """What HIST-AGGRAVATION and HIST-BRUISING read (docs/screening.md): the client's earlier flags.

    The most recent completed session decides with whatever aggravation flag it has; an earlier
    session's aggravation flag counts only while it is open, however old.
    """
    # The hot path: a client who never had a history flag (most) costs no query at all.
    if client.history_flagged_at is None:
        return None
    flags = Flag.objects.filter(
        client=client, kind__in=(FlagKind.AGGRAVATION, FlagKind.BRUISING), created_at__lte=before
    )
    sessions = Appointment.objects.filter(client=client, status=AppointmentStatus.COMPLETED, start__lte=before)
    if exclude_appointment is not None:
        flags = flags.exclude(appointment=exclude_appointment)
        sessions = sessions.exclude(pk=exclude_appointment.pk)
    last_completed = sessions.order_by("-start").values_list("pk", "start").first()
    since = before - dt.timedelta(days=policy.history_days)
    last_flag = earlier_open = bruising = None
    # Plain tuples, newest first: this runs on every screening of such a client, so no model instances.
    rows = flags.filter(Q(created_at__gte=since) | ~Q(status=FlagStatus.RESOLVED)).order_by("-created_at")
    for kind, status, created_at, appointment_id in rows.values_list("kind", "status", "created_at", "appointment_id")[
        :50
    ]:
        is_open = status != FlagStatus.RESOLVED
        if kind == FlagKind.BRUISING:
            if bruising is None and is_open and created_at >= since:
                bruising = created_at
        elif last_completed is not None and appointment_id == last_completed[0]:
            if last_flag is None:
                last_flag = AggravationFlag(created_at, is_open)
        elif earlier_open is None and is_open:
            earlier_open = created_at
    if last_flag is None and earlier_open is None and bruising is None:
        return None
    return History(
        last_completed_start=last_completed[1] if last_completed else None,
        last_completed_aggravation=last_flag,
        earlier_open_aggravation_at=earlier_open,
        bruising_flagged_at=bruising,
    )


FREE_THERAPISTS = """
SELECT t.{therapist_id}, t.{name}, t.{qualifications} FROM {therapist} t
WHERE t.{therapist_clinic} = %s AND t.{active} AND NOT EXISTS (
    SELECT 1 FROM {appointment} a WHERE a.{therapist_fk} = t.{therapist_id}
    AND a.{status} = %s AND a.{start} < %s AND a.{end} > %s {excluding})
ORDER BY t.{name}
"""


@functools.cache
def _free_therapists_sql(*, excluding: bool) -> str:
    """FREE_THERAPISTS with the models' table and column names (made once)."""
    quote = connection.ops.quote_name

    def column(model: type[Any], name: str) -> str:
        return quote(model._meta.get_field(name).column)

    return FREE_THERAPISTS.format(
        therapist=quote(Therapist._meta.db_table),
        therapist_id=column(Therapist, "id"),
        name=column(Therapist, "name"),
        qualifications=column(Therapist, "qualifications"),
        therapist_clinic=column(Therapist, "clinic"),
        active=column(Therapist, "active"),
        appointment=quote(Appointment._meta.db_table),
        therapist_fk=column(Appointment, "therapist"),
        status=column(Appointment, "status"),
        start=column(Appointment, "start"),
        end=column(Appointment, "end"),
        excluding=f"AND a.{column(Appointment, 'id')} <> %s" if excluding else "",
    )


def qualified_therapists_free(
    *, clinic: Clinic, start: dt.datetime, end: dt.datetime, exclude_appointment: Appointment | None = None
) -> list[Therapist]:
    """Active therapists of the clinic qualified for sciatica with no booked appointment overlapping
    [start, end), by name.

    One hand-written statement: it runs on every screening that finds the chosen therapist not
    qualified, and the ORM spent longer building the query with its subquery than PostgreSQL took
    to run it (bench/README.md). Columns and tables are named from the models.
    """
    sql = _free_therapists_sql(excluding=exclude_appointment is not None)
    field = Appointment._meta.get_field
    params = [
        field("clinic").get_db_prep_value(clinic.pk, connection),
        AppointmentStatus.BOOKED.value,
        field("start").get_db_prep_value(end, connection),
        field("end").get_db_prep_value(start, connection),
    ]
    if exclude_appointment is not None:
        params.append(field("id").get_db_prep_value(exclude_appointment.pk, connection))
    # Qualifications are a small JSON list; filtering in Python keeps this working on SQLite too.
    return [t for t in Therapist.objects.raw(sql, params) if "sciatica" in (t.qualifications or [])]


def screening_decide(
    *,
    clinic: Clinic,
    client: Client,
    therapist: Therapist | None,
    service: Mapping[str, Any],
    start: dt.datetime,
    answers: Mapping[str, Any],
    answered_at: dt.datetime,
    appointment: Appointment | None = None,
) -> Decision:
    policy = clinic_policy(clinic)
    context = ScreeningContext(
        answers=answers,
        answered_at=answered_at,
        session_start=start,
        service_pressure=service.get("pressure", "medium"),
        client_age=client_age(client, start.astimezone(clinic.tz).date()),
        therapist_qualifications=frozenset(therapist.qualifications or ()) if therapist else None,
        history=client_history(client=client, before=answered_at, policy=policy, exclude_appointment=appointment),
        policy=policy,
    )
    return screen(context)


@transaction.atomic
def screening_create(*, clinic: Clinic, client: Client | str | Mapping[str, Any], **screening: Any) -> Screening:
    """Screen a booking request (POST /screenings); the client is matched or created in the same
    transaction, so a screening that fails leaves no client behind."""
    if not isinstance(client, Client):
        client = people.client_resolve(clinic=clinic, client=client)
    return screening_run(clinic=clinic, client=client, source=Screening.Source.SCREENING, **screening)


# No savepoint of its own: every caller lets a failure here end its whole transaction, and two
# statements less on each screening are measurable on the screening endpoint (bench/README.md).
@transaction.atomic(savepoint=False)
def screening_run(
    *,
    clinic: Clinic,
    client: Client,
    therapist: Therapist | None,
    service: Mapping[str, Any],
    start: dt.datetime,
    answers: Mapping[str, Any],
    source: str,
    end: dt.datetime | None = None,
    appointment: Appointment | None = None,
    answered_at: dt.datetime | None = None,
) -> Screening:
    """Screen validated answers and keep the result (a new row every time; never edited)."""
    answered_at = answered_at or timezone.now()
    decision = screening_decide(
        clinic=clinic,
        client=client,
        therapist=therapist,
        service=service,
        start=start,
        answers=answers,
        answered_at=answered_at,
        appointment=appointment,
    )
    suggested: list[dict[str, str]] = []
    if decision.needs_qualified_therapist:
        end = end or start + dt.timedelta(minutes=int(service.get("duration_minutes") or 60))
        suggested = [
            {"id": str(t.id), "name": t.name}
            for t in qualified_therapists_free(clinic=clinic, start=start, end=end, exclude_appointment=appointment)
        ]
    screening = Screening.objects.create(
        clinic=clinic,
        appointment=appointment,
        client=client,
        therapist=therapist,
        source=source,
        answers=dict(answers),
        service=dict(service),
        start=start,
        outcome=decision.outcome,
        rule_set_name=RULE_SET_NAME,
        rule_set_version=RULE_SET_VERSION,
        reasons=[reason.as_dict() for reason in decision.reasons],
        modifications=list(decision.modifications),
        earliest_advised_start=decision.earliest_advised_start,
        suggested_therapists=suggested,
        emergency=decision.emergency,
    )
    events.screening_completed.send(sender=Screening, screening=screening)
    return screening


def screening_open_flag(*, screening: Screening, source: str) -> Flag | None:
    """Open the flag a screening calls for: none for proceed, else by the outcome's severity."""
    from service.flags import OUTCOME_SEVERITY, flag_raise
    from service.models import FlagKind as Kind

    severity = OUTCOME_SEVERITY.get(screening.outcome)
    if severity is None or screening.appointment is None:
        return None
    kind = Kind.RED_FLAG if screening.emergency or screening.outcome == "refer_urgently" else Kind.SCREENING
    return flag_raise(
        appointment=screening.appointment,
        severity=severity,
        source=source,
        kind=kind,
        reasons=[r for r in screening.reasons if r["outcome"] != "proceed"] or screening.reasons,
        screening=screening,
    )
