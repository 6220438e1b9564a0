"""Reads for the therapist pages: whose clinic, which flags, and the answers behind each flag."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.http import Http404
from django.utils import timezone

from service.models import (
    Appointment,
    AppointmentStatus,
    Client,
    Clinic,
    ClinicMembership,
    Flag,
    FlagSource,
    FlagStatus,
    QuestionnaireKind,
    QuestionnaireResponse,
    Therapist,
)
from service.screening.definitions import QUESTIONNAIRES, Item
from service.screening.engine import CES_SIGNS, RED_FLAG_KEYS

__all__ = [
    "AnswerRow",
    "SessionBrief",
    "client_for_user",
    "client_sessions",
    "clinic_therapists",
    "coming_sessions",
    "flag_answer_rows",
    "flag_for_user",
    "flags_to_review",
    "user_clinic",
    "user_membership",
    "user_therapist",
]

_SOURCE_KIND = {
    FlagSource.PRE_SESSION: QuestionnaireKind.PRE_SESSION,
    FlagSource.POST_SESSION: QuestionnaireKind.POST_SESSION,
}
_SEVERITY_RANK = {"critical": 0, "warning": 1, "info": 2}
_ACTIVITY = ("heavy_lifting_24h", "prolonged_sitting_24h")

# The answers each rule reads: what the flag page shows as "the answers that fired it".
RULE_KEYS: dict[str, tuple[str, ...]] = {
    "RF-CES": CES_SIGNS,
    "RF-WEAKNESS": ("leg_weakness_new",),
    "RF-DVT": ("dvt_signs", "breathless_or_chest_pain"),
    "RF-INFECTION": ("fever_or_unwell", "worst_pain_24h"),
    "RF-CANCER": ("cancer_history", "weight_loss_unexplained", "night_pain_unrelieved"),
    "RF-FRACTURE": ("trauma_recent", "osteoporosis_or_steroids"),
    "CL-SPINAL-PROCEDURE": ("spinal_procedure_recent",),
    "CL-PREGNANCY": ("pregnant", "pregnancy_weeks", "pregnancy_complications"),
    "CL-BLEEDING": ("blood_thinners", "easy_bruising"),
    "TIME-FLARE": ("flare_last_72h", "worst_pain_24h"),
    "TIME-ACTIVITY": _ACTIVITY,
    "MOD-RADICULAR": ("has_sciatica", "pain_below_knee", "numbness_or_tingling"),
    "MOD-PRESSURE": ("has_sciatica",),
    "MOD-BONE": ("osteoporosis_or_steroids",),
    "MOD-BLEEDING": ("blood_thinners",),
    "MOD-PREGNANCY": ("pregnant", "pregnancy_weeks"),
    "THER-QUALIFIED": ("has_sciatica",),
    "ADV-REVIEW": ("episode_weeks", "clinician_assessed"),
    "PRE-PAIN-RISE": ("leg_pain_now", "back_pain_now"),
    "PRE-NEW-RED-FLAG": RED_FLAG_KEYS,
    "PRE-NEW-ACTIVITY": _ACTIVITY,
    "F-RED-FLAG": (*CES_SIGNS, "leg_weakness_new", "dvt_signs"),
    "F-AGGRAVATION": ("overall_change", "soreness", "numbness_new_or_spreading", "leg_pain_now"),
    "F-SORENESS": ("soreness", "usual_activities_ok"),
    "F-BRUISING": ("unusual_bruising",),
}

_ITEMS: dict[str, Item] = {}
for _questionnaire in QUESTIONNAIRES.values():
    for _item in _questionnaire.items:
        _ITEMS.setdefault(_item.key, _item)


def user_therapist(user) -> Therapist | None:
    try:
        return user.therapist
    except Therapist.DoesNotExist:
        return None


def user_membership(user) -> ClinicMembership | None:
    try:
        return user.clinic_membership
    except ClinicMembership.DoesNotExist:
        return None


def user_clinic(user) -> Clinic | None:
    """Staff belong to a clinic through their membership; a therapist through their therapist record.

    Read on every request, so a therapist who is deactivated (or a user made inactive) loses access at once,
    whatever session they still hold.
    """
    if not user.is_active:
        return None
    membership = user_membership(user)
    if membership is not None:
        return membership.clinic
    therapist = user_therapist(user)
    return therapist.clinic if therapist is not None and therapist.active else None


def _own_sessions_only(user) -> Therapist | None:
    """The therapist whose sessions alone the user may see; None for clinic staff, who see the whole clinic."""
    return user_therapist(user) if user_membership(user) is None else None


_SOURCE_RANK = {FlagSource.POST_SESSION: 0, FlagSource.PRE_SESSION: 1, FlagSource.SCREENING: 2, FlagSource.STAFF: 3}


def flags_to_review(*, user, therapist: Therapist | None = None) -> list[Flag]:
    """Every open or acknowledged flag the user may see, whatever became of its session.

    After-the-session flags first (a client got worse), then by severity, newest first; so nothing
    flagged is out of sight because its session is over.
    """
    clinic = user_clinic(user)
    if clinic is None:
        return []
    flags = Flag.objects.filter(clinic=clinic, status__in=(FlagStatus.OPEN, FlagStatus.ACKNOWLEDGED)).select_related(
        "appointment__client", "appointment__therapist"
    )
    own = _own_sessions_only(user)
    if own is not None or therapist is not None:
        flags = flags.filter(appointment__therapist=own or therapist)
    return sorted(
        flags.order_by("-created_at")[:500],
        key=lambda f: (_SOURCE_RANK.get(f.source, 9), _SEVERITY_RANK[f.severity], -f.created_at.timestamp()),
    )


@dataclass
class SessionBrief:
    """What a therapist needs before a session: the decision, what to change, what changed, the client's words."""

    appointment: Appointment
    outcome: str
    instructions: list[str]
    changes_since_booking: list[str]
    concerns: str
    flags: list[Flag]


def coming_sessions(
    *, user, therapist: Therapist | None = None, now: dt.datetime | None = None, days: int = 7
) -> list[SessionBrief]:
    """Booked sessions from the start of today (clinic time) to `days` ahead, each with its brief."""
    from service.therapist_pages.labels import instruction

    clinic = user_clinic(user)
    if clinic is None:
        return []
    now = now or timezone.now()
    today = now.astimezone(clinic.tz).replace(hour=0, minute=0, second=0, microsecond=0)
    sessions = (
        Appointment.objects.filter(
            clinic=clinic,
            status=AppointmentStatus.BOOKED,
            start__gte=today,
            start__lt=today + dt.timedelta(days=days + 1),
        )
        .select_related("client", "therapist", "latest_screening")
        .prefetch_related("flags")
        .order_by("start")
    )
    own = _own_sessions_only(user)
    if own is not None or therapist is not None:
        sessions = sessions.filter(therapist=own or therapist)
    sessions = list(sessions[:200])
    pre_session = {
        response.appointment_id: response.answers
        for response in QuestionnaireResponse.objects.filter(
            appointment__in=sessions, kind=QuestionnaireKind.PRE_SESSION
        ).only("appointment_id", "answers")
    }
    briefs = []
    for appointment in sessions:
        screening = appointment.latest_screening
        flags = sorted(
            (f for f in appointment.flags.all() if f.status != FlagStatus.RESOLVED),
            key=lambda f: _SEVERITY_RANK[f.severity],
        )
        answers = pre_session.get(appointment.pk) or {}
        briefs.append(
            SessionBrief(
                appointment=appointment,
                outcome=screening.outcome if screening else "proceed",
                instructions=[instruction(m) for m in (screening.modifications if screening else [])],
                changes_since_booking=[
                    str(reason.get("therapist_message", ""))
                    for flag in flags
                    if flag.source == FlagSource.PRE_SESSION
                    for reason in flag.reasons
                ],
                concerns=str(answers.get("concerns") or (appointment.booking_answers or {}).get("concerns") or ""),
                flags=flags,
            )
        )
    return briefs


def clinic_therapists(*, user) -> list[Therapist]:
    """The therapists a staff member may filter by; empty for a therapist, who sees their own sessions."""
    clinic = user_clinic(user)
    if clinic is None or _own_sessions_only(user) is not None:
        return []
    return list(Therapist.objects.filter(clinic=clinic, active=True).order_by("name").only("id", "name"))


def flag_for_user(*, user, flag_id: object) -> Flag:
    """The flag if the user may see it (their clinic's; a therapist's own sessions only); otherwise 404, never 403."""
    clinic = user_clinic(user)
    if clinic is None:
        raise Http404("No such flag.")
    flags = Flag.objects.select_related(
        "appointment__client", "appointment__therapist", "appointment__clinic", "screening"
    ).filter(pk=flag_id, clinic=clinic)
    therapist = _own_sessions_only(user)
    if therapist is not None:
        flags = flags.filter(appointment__therapist=therapist)
    flag = flags.first()
    if flag is None:
        raise Http404("No such flag.")
    return flag


@dataclass(frozen=True)
class AnswerRow:
    key: str
    question: str
    answer: str
    at_booking: str


def _shown(item: Item | None, value: object) -> str:
    if value is None:
        return "not answered"
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    if item is not None and item.choices:
        return {c.value: c.label for c in item.choices}.get(str(value), str(value))
    return str(value)


def _flag_answers(flag: Flag) -> dict:
    if flag.screening is not None:
        return flag.screening.answers or {}
    if flag.source in _SOURCE_KIND:
        response = QuestionnaireResponse.objects.filter(
            appointment=flag.appointment, kind=_SOURCE_KIND[flag.source]
        ).first()
        return response.answers if response else {}
    return flag.appointment.booking_answers or {}


def flag_answer_rows(flag: Flag) -> list[AnswerRow]:
    """The answers the flag's rules read, with the booking answer beside a pre-session one."""
    answers = _flag_answers(flag)
    booking = (flag.appointment.booking_answers or {}) if flag.source == FlagSource.PRE_SESSION else None
    keys = dict.fromkeys(key for reason in flag.reasons for key in RULE_KEYS.get(str(reason.get("rule")), ()))
    rows = []
    for key in keys:
        if key not in answers and (booking is None or key not in booking):
            continue
        item = _ITEMS.get(key)
        rows.append(
            AnswerRow(
                key=key,
                question=item.text if item else key,
                answer=_shown(item, answers.get(key)),
                at_booking=_shown(item, booking.get(key)) if booking is not None else "",
            )
        )
    return rows


def client_for_user(*, user, client_id: object) -> Client:
    """The client if the user may see them: staff, any of the clinic's; a therapist, their own clients only."""
    clinic = user_clinic(user)
    if clinic is None:
        raise Http404("No such client.")
    clients = Client.objects.filter(pk=client_id, clinic=clinic, erased_at__isnull=True)
    own = _own_sessions_only(user)
    if own is not None:
        clients = clients.filter(appointments__therapist=own).distinct()
    client = clients.first()
    if client is None:
        raise Http404("No such client.")
    return client


def client_sessions(*, client: Client, user) -> list[Appointment]:
    """The client's sessions the user may see, newest first, with their flags."""
    sessions = (
        Appointment.objects.filter(client=client)
        .select_related("therapist", "latest_screening")
        .prefetch_related("flags")
        .order_by("-start")
    )
    own = _own_sessions_only(user)
    return list(sessions.filter(therapist=own) if own is not None else sessions)[:100]
