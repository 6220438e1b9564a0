"""Outcomes: each client's course (the timeline), and what a clinic's choices did (the analytics).

Per completed session, `outcome_refresh` writes one OutcomeFact per grouping value: its therapist,
its pressure, each modification of its latest screening, each rule that fired. A fact says whether
the follow-up was answered, and whether it showed aggravation or improvement:

- aggravated: the follow-up raised the aggravation finding (F-AGGRAVATION);
- improved: leg or back pain down by the clinic's pain-change points or percent (default 2 or 30%)
  from the pre-session answer (or, without one, the booking's), or `overall_change` better or much
  better.

The facts hold no answer and no name, so erasing a client or purging old answers leaves the figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, IntegerField, Sum
from django.db.models.functions import Cast

from service.models import (
    Appointment,
    AppointmentStatus,
    Client,
    Clinic,
    Flag,
    FlagSeverity,
    OutcomeDaily,
    OutcomeFact,
    OutcomeGroup,
    QuestionnaireKind,
    QuestionnaireResponse,
    Screening,
)
from service.screening.measures import improved, peg_score
from service.screenings import clinic_policy

__all__ = [
    "AnalyticsRow",
    "TimelineEntry",
    "client_timeline",
    "outcome_refresh",
    "outcomes_by",
]

SMALL_COUNT = 5  # counts under this are shown as "<5" where figures leave the clinic


# Keeping the facts.


def _labels(appointment: Appointment) -> dict[str, list[tuple[str, str]]]:
    screening = appointment.latest_screening
    therapist = appointment.therapist
    return {
        OutcomeGroup.THERAPIST: [(str(therapist.pk), therapist.name) if therapist else ("none", "No therapist")],
        OutcomeGroup.PRESSURE: [(appointment.service_pressure, appointment.service_pressure)],
        OutcomeGroup.MODIFICATION: [(word, word) for word in dict.fromkeys(screening.modifications)]
        if screening and screening.modifications
        else [("none", "none")],
        OutcomeGroup.RULE: [(rule, rule) for rule in dict.fromkeys(r["rule"].split(":")[0] for r in screening.reasons)]
        if screening and screening.reasons
        else [("none", "none")],
    }


@transaction.atomic
def outcome_refresh(*, appointment: Appointment) -> int:
    """Write the session's facts afresh (none unless it is completed), and its day's sums; how many facts."""
    completed = appointment.status == AppointmentStatus.COMPLETED
    facts = OutcomeFact.objects.filter(appointment=appointment)
    if not completed and not facts.exists():
        return 0  # a booking cancelled or missed before it happened: nothing counted, no lock taken
    # One clinic's refreshes in turn, so that two recomputing the same day cannot both write it.
    Clinic.objects.select_for_update().filter(pk=appointment.clinic_id).first()
    days = set(facts.values_list("day", flat=True))
    facts.delete()
    written = _write_facts(appointment) if completed else []
    days |= {fact.day for fact in written}
    for day in days:
        _sum_day(appointment.clinic_id, day)
    return len(written)


def _sum_day(clinic_id: Any, day: dt.date) -> None:
    """The day's sums, recomputed from its facts (never incremented, so a retry cannot count twice)."""
    OutcomeDaily.objects.filter(clinic_id=clinic_id, day=day).delete()
    sums = (
        OutcomeFact.objects.filter(clinic_id=clinic_id, day=day)
        .values("group", "key")
        .annotate(
            n=Count("id"),
            answered=_count("followup_answered"),
            worse=_count("aggravated"),
            better=_count("improved"),
        )
    )
    OutcomeDaily.objects.bulk_create(
        OutcomeDaily(
            clinic_id=clinic_id,
            day=day,
            group=row["group"],
            key=row["key"],
            sessions=row["n"],
            followups_answered=row["answered"] or 0,
            aggravated=row["worse"] or 0,
            improved=row["better"] or 0,
        )
        for row in sums
    )


def _write_facts(appointment: Appointment) -> list[OutcomeFact]:
    responses = {
        r.kind: r for r in QuestionnaireResponse.objects.filter(appointment=appointment).select_related("screening")
    }
    follow_up = responses.get(QuestionnaireKind.POST_SESSION)
    aggravated = bool(
        follow_up
        and follow_up.screening
        and any(str(r.get("rule", "")).startswith("F-AGGRAVATION") for r in follow_up.screening.reasons)
    )
    before = responses[QuestionnaireKind.PRE_SESSION].answers if QuestionnaireKind.PRE_SESSION in responses else None
    before = before or appointment.booking_answers or None
    better = bool(follow_up) and improved(
        before=before, after=follow_up.answers, policy=clinic_policy(appointment.clinic)
    )
    day = appointment.start.astimezone(appointment.clinic.tz).date()
    facts = [
        OutcomeFact(
            clinic_id=appointment.clinic_id,
            appointment=appointment,
            day=day,
            group=group,
            key=key[:64],
            label=label[:200],
            followup_answered=follow_up is not None,
            aggravated=aggravated,
            improved=better,
        )
        for group, values in _labels(appointment).items()
        for key, label in values
    ]
    return OutcomeFact.objects.bulk_create(facts)


# The analytics.


@dataclass(frozen=True)
class AnalyticsRow:
    key: str
    label: str
    sessions: int
    followups_answered: int
    aggravated: int
    improved: int

    @property
    def aggravation_rate(self) -> float | None:
        return round(self.aggravated / self.followups_answered, 3) if self.followups_answered else None

    @property
    def improved_rate(self) -> float | None:
        return round(self.improved / self.followups_answered, 3) if self.followups_answered else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "sessions": self.sessions,
            "followups_answered": self.followups_answered,
            "aggravated": self.aggravated,
            "aggravation_rate": self.aggravation_rate,
            "improved": self.improved,
            "improved_rate": self.improved_rate,
        }


def _count(field: str) -> Sum:
    return Sum(Cast(field, IntegerField()))


def outcomes_by(*, clinic: Clinic, group: str, since: dt.date, until: dt.date) -> list[AnalyticsRow]:
    """Completed sessions from `since` to `until` (inclusive, clinic dates) grouped by `group`.

    One aggregate over the clinic's daily sums (a row per day and value, however many sessions);
    most sessions first.
    """
    rows = (
        OutcomeDaily.objects.filter(clinic=clinic, group=group, day__gte=since, day__lte=until)
        .values("key")
        .annotate(
            sessions=Sum("sessions"),
            answered=Sum("followups_answered"),
            aggravated_count=Sum("aggravated"),
            improved_count=Sum("improved"),
        )
        .order_by("-sessions", "key")
    )
    rows = list(rows)
    labels = _current_labels(clinic, group, [row["key"] for row in rows])
    return [
        AnalyticsRow(
            key=row["key"],
            label=labels.get(row["key"], row["key"]),
            sessions=row["sessions"],
            followups_answered=row["answered"] or 0,
            aggravated=row["aggravated_count"] or 0,
            improved=row["improved_count"] or 0,
        )
        for row in rows
    ]


def _current_labels(clinic: Clinic, group: str, keys: Iterable[str]) -> dict[str, str]:
    """Therapists by their name today; other groups are their own words."""
    if group != OutcomeGroup.THERAPIST:
        return {}
    from service.models import Therapist

    ids = [key for key in keys if key != "none"]
    found = dict(Therapist.objects.filter(clinic=clinic, pk__in=ids).values_list("pk", "name"))
    return {str(pk): name for pk, name in found.items()} | {"none": "No therapist"}


def small(count: int) -> str:
    """A count as it may leave the clinic: under 5 is "<5", so nobody can be picked out."""
    return f"<{SMALL_COUNT}" if 0 < count < SMALL_COUNT else str(count)


# Each client's course.


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    appointment_id: Any
    source: str
    leg_pain: int | None
    back_pain: int | None
    peg: float | None
    overall_change: str | None
    flagged: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": self.at,
            "appointment_id": str(self.appointment_id),
            "source": self.source,
            "leg_pain": self.leg_pain,
            "back_pain": self.back_pain,
            "peg": self.peg,
            "overall_change": self.overall_change,
            "flagged": self.flagged,
        }


def _score(value: object) -> int | None:
    return value if type(value) is int else None


def client_timeline(*, client: Client, appointments: Iterable[Appointment] | None = None) -> list[TimelineEntry]:
    """Every pain report of the client, oldest first: at booking, before and after each session, and
    the outcome check weeks later; `flagged` when that answer raised a warning or critical flag."""
    appointments = list(appointments if appointments is not None else Appointment.objects.filter(client=client))
    by_id = {a.pk: a for a in appointments}
    flagged_screenings = set(
        Flag.objects.filter(
            appointment_id__in=by_id, severity__in=(FlagSeverity.WARNING, FlagSeverity.CRITICAL)
        ).values_list("screening_id", flat=True)
    )
    first_screenings = {}
    for screening_id, appointment_id in (
        Screening.objects.filter(appointment_id__in=by_id, source__in=("booking", "integration"))
        .order_by("created_at")
        .values_list("pk", "appointment_id")
    ):
        first_screenings.setdefault(appointment_id, screening_id)
    entries: list[TimelineEntry] = []
    for appointment in appointments:
        answers = appointment.booking_answers or {}
        leg, back = _score(answers.get("leg_pain_now")), _score(answers.get("back_pain_now"))
        if leg is not None or back is not None:
            entries.append(
                TimelineEntry(
                    at=appointment.created_at,
                    appointment_id=appointment.pk,
                    source="booking",
                    leg_pain=leg,
                    back_pain=back,
                    peg=None,
                    overall_change=None,
                    flagged=first_screenings.get(appointment.pk) in flagged_screenings,
                )
            )
    for response in QuestionnaireResponse.objects.filter(appointment_id__in=by_id):
        answers = response.answers or {}
        change = answers.get("overall_change")
        entries.append(
            TimelineEntry(
                at=response.submitted_at,
                appointment_id=response.appointment_id,
                source=response.kind,
                leg_pain=_score(answers.get("leg_pain_now")),
                back_pain=_score(answers.get("back_pain_now")),
                peg=peg_score(answers),
                overall_change=change if isinstance(change, str) else None,
                flagged=response.screening_id in flagged_screenings,
            )
        )
    entries.sort(key=lambda entry: (entry.at, entry.source))
    return entries
