"""Answers from a questionnaire link: validated, compared for aggravation, screened, flagged, kept."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from service import events
from service.appointments import appointment_screen_answers, appointment_service
from service.flags import flag_raise
from service.models import (
    Appointment,
    Flag,
    FlagKind,
    FlagSeverity,
    FlagSource,
    FlagStatus,
    Invitation,
    InvitationStatus,
    QuestionnaireKind,
    QuestionnaireResponse,
    Screening,
)
from service.questionnaires.invitations import invitation_is_open
from service.screening.answers import validate_answers
from service.screening.engine import RULE_SET_NAME, RULE_SET_VERSION, Reason
from service.screening.followup import assess_follow_up, assess_pre_session
from service.screening.messages import SCREENING_NOTE
from service.screenings import clinic_policy

__all__ = ["InvitationClosed", "SubmissionResult", "questionnaire_submit", "submission_result"]

# Which flag each finding opens; F-SORENESS (expected soreness) opens none.
_FINDING_FLAGS: dict[str, tuple[str, str]] = {
    "PRE-PAIN-RISE": (FlagSeverity.WARNING, FlagKind.AGGRAVATION),
    "PRE-NEW-ACTIVITY": (FlagSeverity.WARNING, FlagKind.AGGRAVATION),
    "PRE-NEW-RED-FLAG": (FlagSeverity.CRITICAL, FlagKind.RED_FLAG),
    "F-RED-FLAG": (FlagSeverity.CRITICAL, FlagKind.RED_FLAG),
    "F-AGGRAVATION": (FlagSeverity.WARNING, FlagKind.AGGRAVATION),
    "F-BRUISING": (FlagSeverity.WARNING, FlagKind.BRUISING),
}


class InvitationClosed(Exception):
    """The link ended (session started, cancelled, expired) before the answers arrived."""


@dataclass(frozen=True)
class SubmissionResult:
    response: QuestionnaireResponse
    screening: Screening
    outcome: str
    messages: list[str]
    emergency: bool
    reasons: list[dict] = field(default_factory=list)


def _open_flag_rules(appointment: Appointment, source: str) -> set[str]:
    rules: set[str] = set()
    for reasons in (
        Flag.objects.filter(appointment=appointment, source=source)
        .exclude(status=FlagStatus.RESOLVED)
        .values_list("reasons", flat=True)
    ):
        rules.update(reason.get("rule", "") for reason in reasons or [])
    return rules


def _flag_findings(
    appointment: Appointment, findings: tuple[Reason, ...], *, source: str, screening: Screening
) -> list[Flag]:
    """One flag per finding, unless an open flag from this questionnaire already says it (a resubmission)."""
    already = _open_flag_rules(appointment, source)
    raised = []
    for reason in findings:
        if reason.rule not in _FINDING_FLAGS or reason.rule in already:
            continue
        severity, kind = _FINDING_FLAGS[reason.rule]
        raised.append(
            flag_raise(
                appointment=appointment,
                severity=severity,
                source=source,
                kind=kind,
                reasons=[reason.as_dict()],
                screening=screening,
            )
        )
    return raised


def _pre_session(appointment: Appointment, answers: dict, now: dt.datetime) -> Screening:
    findings = assess_pre_session(
        baseline=appointment.booking_answers or None,
        answers=answers,
        answered_at=now,
        session_start=appointment.start,
        policy=clinic_policy(appointment.clinic),
    )
    screening = appointment_screen_answers(appointment=appointment, answers=answers, source=FlagSource.PRE_SESSION)
    # A new warning sign also makes the screening refer urgently, which opens its own critical red-flag
    # flag: a second one would only alert the therapist twice for the same answers.
    screening_red_flag = screening.flags.filter(kind=FlagKind.RED_FLAG, severity=FlagSeverity.CRITICAL).exists()
    kept = tuple(f for f in findings if not (f.rule == "PRE-NEW-RED-FLAG" and screening_red_flag))
    _flag_findings(appointment, kept, source=FlagSource.PRE_SESSION, screening=screening)
    return screening


def _post_session(appointment: Appointment, answers: dict, now: dt.datetime) -> Screening:
    pre = QuestionnaireResponse.objects.filter(appointment=appointment, kind=QuestionnaireKind.PRE_SESSION).first()
    pre_answers = pre.answers if pre else None
    thinners = appointment.booking_answers.get("blood_thinners") is True or (
        pre_answers is not None and pre_answers.get("blood_thinners") is True
    )
    result = assess_follow_up(
        answers=answers,
        pre_session_answers=pre_answers,
        blood_thinners_on_file=thinners,
        policy=clinic_policy(appointment.clinic),
    )
    screening = Screening.objects.create(
        clinic_id=appointment.clinic_id,
        appointment=appointment,
        client_id=appointment.client_id,
        therapist_id=appointment.therapist_id,
        source=Screening.Source.POST_SESSION,
        answers=answers,
        service=appointment_service(appointment),
        start=appointment.start,
        outcome=result.client_outcome,
        rule_set_name=RULE_SET_NAME,
        rule_set_version=RULE_SET_VERSION,
        reasons=[reason.as_dict() for reason in result.reasons],
        modifications=list(dict.fromkeys(m for reason in result.reasons for m in reason.modifications)),
        emergency=any(reason.emergency for reason in result.reasons),
    )
    events.screening_completed.send(sender=Screening, screening=screening)
    _flag_findings(appointment, result.reasons, source=FlagSource.POST_SESSION, screening=screening)
    return screening


@transaction.atomic
def questionnaire_submit(
    *, invitation: Invitation, answers: Mapping[str, object], now: dt.datetime | None = None
) -> SubmissionResult:
    """Validate and act on a questionnaire's answers; a second submission replaces the first.

    Raises AnswersInvalid (naming each bad answer) or InvitationClosed. Nothing is stored unless
    everything is.
    """
    now = now or timezone.now()
    # The appointment first, then the invitation: the order reschedule and cancel lock them in.
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("clinic", "client", "therapist")
        .get(pk=invitation.appointment_id)
    )
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    invitation.appointment = appointment
    if not invitation_is_open(invitation, now):
        raise InvitationClosed
    cleaned = validate_answers(answers, kind=invitation.kind)

    if invitation.kind == QuestionnaireKind.PRE_SESSION:
        screening = _pre_session(appointment, cleaned, now)
    else:
        screening = _post_session(appointment, cleaned, now)

    response = QuestionnaireResponse.objects.filter(invitation=invitation).first()
    if response is None:
        response = QuestionnaireResponse.objects.create(
            clinic_id=invitation.clinic_id,
            invitation=invitation,
            appointment=appointment,
            kind=invitation.kind,
            answers=cleaned,
            screening=screening,
            submitted_at=now,
        )
    else:
        response.answers = cleaned
        response.screening = screening
        response.submitted_at = now
        response.submission_count += 1
        response.save(update_fields=["answers", "screening", "submitted_at", "submission_count"])
    invitation.status = InvitationStatus.COMPLETED
    invitation.completed_at = now
    invitation.save(update_fields=["status", "completed_at", "updated_at"])
    events.questionnaire_completed.send(
        sender=Invitation, invitation=invitation, response=response, screening=screening
    )
    return submission_result(response)


def submission_result(response: QuestionnaireResponse) -> SubmissionResult:
    """What the client is told: the screening's outcome and its client messages, in plain words."""
    screening = response.screening
    reasons = list(screening.reasons) if screening else []
    if screening is not None and response.kind == QuestionnaireKind.PRE_SESSION:
        # The aggravation findings are on the flags this screening opened, not in its reasons.
        for flag_reasons in screening.flags.filter(source=FlagSource.PRE_SESSION).values_list("reasons", flat=True):
            reasons.extend(r for r in flag_reasons if str(r.get("rule", "")).startswith("PRE-"))
    messages = list(dict.fromkeys(r["client_message"] for r in reasons if r.get("client_message")))
    return SubmissionResult(
        response=response,
        screening=screening,
        outcome=screening.outcome if screening else "proceed",
        messages=messages,
        emergency=bool(screening and screening.emergency),
        reasons=reasons,
    )


# Rules that say the same thing as another in the same answer: the later, more specific one stays.
_SAID_BY = {"TIME-ACTIVITY": "PRE-NEW-ACTIVITY", "TIME-FLARE": "PRE-PAIN-RISE"}
_NOT_NOW = ("refer_urgently", "needs_clearance", "reschedule")


def client_bullets(result: SubmissionResult) -> list[str]:
    """The client's bullets: no repeats, and none that contradicts the headline.

    When the answer is "not now" (reschedule, clearance, urgent referral), advice about how the
    session would be done ("keep it gentle") is left out: it belongs to a session that is not
    happening. The English messages are returned; the page shows them in the client's language.
    """
    rules = {str(r.get("rule", "")).split(":")[0] for r in result.reasons}
    bullets: list[str] = []
    for reason in result.reasons:
        message, rule = reason.get("client_message") or "", str(reason.get("rule", "")).split(":")[0]
        if not message or message in bullets:
            continue
        if _SAID_BY.get(rule) in rules:
            continue
        if result.outcome in _NOT_NOW and reason.get("outcome") not in _NOT_NOW:
            continue
        bullets.append(message)
    return bullets


def without_screening_note(message: str) -> str:
    """For the page, which says it once at the end."""
    return message.replace(SCREENING_NOTE, "").strip()
