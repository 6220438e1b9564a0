"""Aggravation checks: pre-session answers against booking, and the post-session follow-up."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from service.screening.engine import RED_FLAG_KEYS, Reason, build_reasons, most_severe
from service.screening.policy import ClinicPolicy

__all__ = ["FollowUpResult", "assess_follow_up", "assess_pre_session", "pain_rose"]

_ACTIVITY_KEYS = ("heavy_lifting_24h", "prolonged_sitting_24h")
# Signs that call for emergency care now; the other red flags (new leg weakness, one swollen calf
# without breathlessness) call for a doctor today, as RF-WEAKNESS and RF-DVT say at booking.
_EMERGENCY_KEYS = frozenset(RED_FLAG_KEYS) - {"leg_weakness_new", "dvt_signs"}


def _red_flag_key(rule: str, fired: set[str]) -> str:
    return rule if fired & _EMERGENCY_KEYS else f"{rule}:today"


_WORSE = frozenset({"worse", "much_worse"})

_REASONS = build_reasons(
    {
        "PRE-PAIN-RISE": ("proceed_with_modifications", ("check_symptoms_first",), False),
        "PRE-NEW-RED-FLAG": ("refer_urgently", (), True),
        "PRE-NEW-RED-FLAG:today": ("refer_urgently", (), False),
        "PRE-NEW-ACTIVITY": (
            "proceed_with_modifications",
            ("gentle_only", "check_symptoms_first"),
            False,
        ),
        "F-RED-FLAG": ("refer_urgently", (), True),
        "F-RED-FLAG:today": ("refer_urgently", (), False),
        # The next booking also gets HIST-AGGRAVATION from the flag this raises.
        "F-AGGRAVATION": ("proceed_with_modifications", ("reduce_depth",), False),
        "F-SORENESS": ("proceed", (), False),
        "F-BRUISING": ("needs_clearance", (), False),
    }
)


@dataclass(frozen=True, slots=True)
class FollowUpResult:
    reasons: tuple[Reason, ...]
    flag_severity: str | None  # None, "warning" or "critical"
    client_outcome: str
    expected_soreness: bool


def pain_rose(before: object, now: object, *, policy: ClinicPolicy) -> bool:
    """True when a 0-10 score rose by the policy's points, or percent of a non-zero start.

    Either score missing means no comparison can be made: False.
    """
    if type(before) is not int or type(now) is not int:
        return False
    rise = now - before
    if rise <= 0:
        return False
    if rise >= policy.pain_rise_points:
        return True
    return before > 0 and rise * 100 >= policy.pain_rise_percent * before


def assess_pre_session(
    *,
    baseline: Mapping[str, object] | None,
    answers: Mapping[str, object],
    answered_at: datetime,
    session_start: datetime,
    policy: ClinicPolicy,
) -> tuple[Reason, ...]:
    """Aggravation since booking. ``baseline`` is the booking answers; None if there were none.

    Without a baseline, any red flag or aggravating activity reported now counts as new.
    """
    table = _REASONS[policy.emergency_region]
    before = baseline if baseline is not None else {}
    reasons: list[Reason] = []
    if pain_rose(before.get("leg_pain_now"), answers.get("leg_pain_now"), policy=policy) or pain_rose(
        before.get("back_pain_now"), answers.get("back_pain_now"), policy=policy
    ):
        reasons.append(table["PRE-PAIN-RISE"])
    new_red_flags = {key for key in RED_FLAG_KEYS if answers.get(key) is True and before.get(key) is not True}
    if new_red_flags:
        reasons.append(table[_red_flag_key("PRE-NEW-RED-FLAG", new_red_flags)])
    if any(
        answers.get(key) is True and before.get(key) is not True for key in _ACTIVITY_KEYS
    ) and session_start - answered_at <= timedelta(hours=policy.activity_window_hours):
        reasons.append(table["PRE-NEW-ACTIVITY"])
    return tuple(reasons)


def assess_follow_up(
    *,
    answers: Mapping[str, object],
    pre_session_answers: Mapping[str, object] | None,
    blood_thinners_on_file: bool,
    policy: ClinicPolicy,
) -> FollowUpResult:
    """The post-session follow-up: what to flag, and what to tell the client."""
    table = _REASONS[policy.emergency_region]
    get = answers.get
    reasons: list[Reason] = []

    red_flags = {key for key in RED_FLAG_KEYS if get(key) is True}
    red_flag = bool(red_flags)
    if red_flag:
        reasons.append(table[_red_flag_key("F-RED-FLAG", red_flags)])

    before_leg = pre_session_answers.get("leg_pain_now") if pre_session_answers else None
    leg_pain_up = pain_rose(before_leg, get("leg_pain_now"), policy=policy)
    aggravated = (
        get("overall_change") in _WORSE
        or get("soreness") == "down_the_leg"
        or get("numbness_new_or_spreading") is True
        or leg_pain_up
    )
    if aggravated:
        reasons.append(table["F-AGGRAVATION"])

    # Expected soreness only when nothing worse is going on: soreness with a red
    # flag or an aggravation is not the reassuring kind.
    expected_soreness = (
        not red_flag and not aggravated and get("soreness") == "massaged_area" and get("usual_activities_ok") is True
    )
    if expected_soreness:
        reasons.append(table["F-SORENESS"])

    bruising = get("unusual_bruising") is True and blood_thinners_on_file
    if bruising:
        reasons.append(table["F-BRUISING"])

    if red_flag:
        severity: str | None = "critical"
    elif aggravated or bruising:
        severity = "warning"
    else:
        severity = None
    return FollowUpResult(
        reasons=tuple(reasons),
        flag_severity=severity,
        client_outcome=most_severe(reason.outcome for reason in reasons),
        expected_soreness=expected_soreness,
    )
