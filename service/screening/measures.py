"""Outcome measures: the PEG score, and whether a follow-up shows improvement (plain Python)."""

from __future__ import annotations

from collections.abc import Mapping

from service.screening.definitions import PEG_KEYS
from service.screening.policy import ClinicPolicy

__all__ = ["BETTER", "improved", "pain_fell", "peg_score"]

# The 7-point Global Rating of Change: these two count as improved.
BETTER = frozenset({"better", "much_better"})


def peg_score(answers: Mapping[str, object]) -> float | None:
    """The mean of the three PEG items, to one decimal; None unless all three were answered."""
    values = [answers.get(key) for key in PEG_KEYS]
    if not all(type(value) is int for value in values):
        return None
    return round(sum(values) / 3, 1)  # type: ignore[arg-type]


def pain_fell(before: object, now: object, *, policy: ClinicPolicy) -> bool:
    """A 0-10 score down by the policy's points, or its percent of the starting score (2 or 30%)."""
    if type(before) is not int or type(now) is not int:
        return False
    drop = before - now
    if drop <= 0:
        return False
    return drop >= policy.pain_rise_points or drop * 100 >= policy.pain_rise_percent * before


def improved(*, before: Mapping[str, object] | None, after: Mapping[str, object], policy: ClinicPolicy) -> bool:
    """Leg or back pain down by 2 points or 30% from the pre-session answer, or better overall."""
    if after.get("overall_change") in BETTER:
        return True
    if not before:
        return False
    return any(pain_fell(before.get(key), after.get(key), policy=policy) for key in ("leg_pain_now", "back_pain_now"))
