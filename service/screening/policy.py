"""A clinic's screening settings: every default threshold of the rule pack, and questionnaire timings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

__all__ = ["EMERGENCY_REGIONS", "FLARE_ACTIONS", "ClinicPolicy", "PolicyInvalid"]

EMERGENCY_REGIONS = ("uk", "us", "generic")
FLARE_ACTIONS = ("reschedule", "gentle_only")


class PolicyInvalid(Exception):
    """Raised with ``errors``: a list of ``{"attr", "code", "detail"}`` dicts, one per bad field."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__(f"{len(errors)} invalid policy setting(s)")
        self.errors = errors


# Sane bounds for each integer setting: wide enough for any clinic's judgement,
# narrow enough to stop typos (hours entered as minutes, a percent of 3000).
_INT_RANGES: dict[str, tuple[int, int]] = {
    "flare_pain_threshold": (1, 10),
    "flare_reschedule_hours": (1, 24 * 30),
    "infection_reschedule_hours": (1, 24 * 30),
    "activity_window_hours": (1, 24 * 7),
    "spinal_procedure_weeks": (1, 104),
    "history_days": (1, 365),
    "history_open_flag_days": (1, 365),
    "pain_rise_points": (1, 10),
    "pain_rise_percent": (1, 100),
    "pre_session_hours": (1, 24 * 14),
    "post_session_hours": (1, 24 * 14),
    "reminder_hours_before": (1, 24 * 14),
    "post_session_link_days": (1, 90),
    # Days after the last completed session to ask how the client is (0: never).
    "outcome_followup_days": (0, 365),
    # How long answers, platform deliveries and message bodies are kept (default eight years, the UK adult-record norm).
    "retention_days": (30, 365 * 100),
    # A flag nobody acknowledged is escalated to the clinic after this long.
    "escalate_critical_minutes": (1, 24 * 60),
    "escalate_warning_minutes": (1, 7 * 24 * 60),
}
_CHOICES: dict[str, tuple[str, ...]] = {
    "emergency_region": EMERGENCY_REGIONS,
    "flare_action": FLARE_ACTIONS,
}


@dataclass(frozen=True, slots=True)
class ClinicPolicy:
    """Defaults are the rule pack's *default* figures and the questionnaire timings (docs/screening.md)."""

    emergency_region: str = "generic"
    flare_pain_threshold: int = 7
    flare_reschedule_hours: int = 72
    flare_action: str = "reschedule"
    infection_reschedule_hours: int = 72
    activity_window_hours: int = 24
    spinal_procedure_weeks: int = 12
    history_days: int = 30
    history_open_flag_days: int = 7
    pain_rise_points: int = 2
    pain_rise_percent: int = 30
    pre_session_hours: int = 48
    post_session_hours: int = 24
    reminder_hours_before: int = 24
    post_session_link_days: int = 7
    outcome_followup_days: int = 28
    retention_days: int = 2920
    escalate_critical_minutes: int = 15
    escalate_warning_minutes: int = 240

    def __post_init__(self) -> None:
        errors = [
            error
            for field in fields(self)
            if (error := _field_error(field.name, getattr(self, field.name))) is not None
        ]
        if errors:
            raise PolicyInvalid(errors)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ClinicPolicy:
        """A policy from ``data``; missing settings take their defaults."""
        if not isinstance(data, Mapping):
            raise PolicyInvalid([{"attr": "policy", "code": "invalid_type", "detail": "Must be an object."}])
        known = {field.name for field in fields(cls)}
        errors: list[dict[str, str]] = []
        values: dict[str, Any] = {}
        for key, value in data.items():
            name = str(key)
            if name not in known:
                errors.append(_error(name, "unknown_key", "Not a policy setting."))
                continue
            error = _field_error(name, value)
            if error is not None:
                errors.append(error)
            else:
                values[name] = value
        if errors:
            raise PolicyInvalid(errors)
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _error(name: str, code: str, detail: str) -> dict[str, str]:
    return {"attr": f"policy.{name}", "code": code, "detail": detail}


def _field_error(name: str, value: object) -> dict[str, str] | None:
    if name in _CHOICES:
        choices = _CHOICES[name]
        if type(value) is not str:
            return _error(name, "invalid_type", "Must be a string.")
        if value not in choices:
            return _error(name, "invalid_choice", "Must be one of: " + ", ".join(choices) + ".")
        return None
    low, high = _INT_RANGES[name]
    # bool is a subclass of int; true is not a number of hours.
    if type(value) is not int:
        return _error(name, "invalid_type", "Must be a whole number.")
    if not low <= value <= high:
        return _error(name, "out_of_range", f"Must be between {low} and {high}.")
    return None
