"""The sciatica screening engine: answers and booking context in, a decision out. Pure Python."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from service.screening.messages import MESSAGES, REGIONS
from service.screening.policy import ClinicPolicy

__all__ = [
    "CES_SIGNS",
    "OUTCOMES",
    "RED_FLAG_KEYS",
    "RULE_IDS",
    "RULE_SET_NAME",
    "RULE_SET_VERSION",
    "AggravationFlag",
    "Decision",
    "History",
    "Reason",
    "ScreeningContext",
    "build_reasons",
    "decide",
    "most_severe",
    "screen",
    "severity_rank",
]

RULE_SET_NAME = "sciatica"
RULE_SET_VERSION = "1.1.0"

# Most severe first: a decision takes the first of these that any fired rule gave.
OUTCOMES = (
    "refer_urgently",
    "needs_clearance",
    "reschedule",
    "proceed_with_modifications",
    "proceed",
)
_RANK = {outcome: rank for rank, outcome in enumerate(OUTCOMES)}
_PROCEED_RANK = _RANK["proceed"]

CES_SIGNS = ("saddle_numbness", "bladder_change", "bowel_change", "sexual_change", "both_legs")
RED_FLAG_KEYS = (*CES_SIGNS, "leg_weakness_new", "dvt_signs", "breathless_or_chest_pain")

# Not marked *default* in the rule pack (RF-INFECTION's "worst_pain_24h >= 7"), so
# it is part of the rule, not a clinic setting.
_INFECTION_SEVERE_PAIN = 7
# ADV-REVIEW: NICE CKS's "failure to improve" horizon, fixed by the rule pack.
_REVIEW_AFTER_WEEKS = 6
_FIRM_PRESSURES = frozenset({"firm", "deep"})


def severity_rank(outcome: str) -> int:
    """0 for the most severe outcome (refer_urgently) up to 4 for proceed."""
    return _RANK[outcome]


def most_severe(outcomes: Iterable[str]) -> str:
    """The most severe of ``outcomes``; proceed when there are none."""
    best = _PROCEED_RANK
    for outcome in outcomes:
        rank = _RANK[outcome]
        if rank < best:
            best = rank
    return OUTCOMES[best]


@dataclass(frozen=True, slots=True)
class Reason:
    rule: str
    outcome: str
    client_message: str
    therapist_message: str
    modifications: tuple[str, ...] = ()
    emergency: bool = False

    def as_dict(self) -> dict[str, str]:
        """A reason as the API gives it."""
        return {
            "rule": self.rule,
            "outcome": self.outcome,
            "client_message": self.client_message,
            "therapist_message": self.therapist_message,
        }


@dataclass(frozen=True, slots=True)
class AggravationFlag:
    raised_at: datetime
    open: bool


@dataclass(frozen=True, slots=True)
class History:
    """What the history rules read of the client's earlier sessions.

    HIST-AGGRAVATION: the most recent completed session (its start, and the newest aggravation flag on
    it, if any) decides while it is within `history_days` of the answer; an aggravation flag on any
    earlier session counts only while it is open (`earlier_open_aggravation_at`, the newest such).
    """

    last_completed_start: datetime | None
    last_completed_aggravation: AggravationFlag | None
    earlier_open_aggravation_at: datetime | None
    bruising_flagged_at: datetime | None


@dataclass(frozen=True, slots=True)
class ScreeningContext:
    answers: Mapping[str, object]
    answered_at: datetime
    session_start: datetime
    service_pressure: str
    client_age: int | None
    therapist_qualifications: frozenset[str] | None  # None: no therapist chosen yet
    history: History | None
    policy: ClinicPolicy

    def __post_init__(self) -> None:
        # Naive times would make every time window silently wrong by the UTC offset.
        if self.answered_at.tzinfo is None or self.session_start.tzinfo is None:
            raise ValueError("answered_at and session_start must be timezone-aware")


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: str
    reasons: tuple[Reason, ...]
    modifications: tuple[str, ...]
    earliest_advised_start: datetime | None
    needs_qualified_therapist: bool
    emergency: bool

    def as_dict(self) -> dict[str, object]:
        """The screening fields of the API that the engine decides."""
        return {
            "outcome": self.outcome,
            "reasons": [reason.as_dict() for reason in self.reasons],
            "modifications": list(self.modifications),
            "earliest_advised_start": (
                self.earliest_advised_start.isoformat() if self.earliest_advised_start is not None else None
            ),
        }


def build_reasons(
    specs: Mapping[str, tuple[str, tuple[str, ...], bool]],
) -> dict[str, dict[str, Reason]]:
    """region -> message key -> Reason, from key -> (outcome, modifications, emergency).

    Reasons are immutable, so each is built once here and shared by every decision.
    """
    return {
        region: {
            key: Reason(
                key.partition(":")[0],
                outcome,
                *MESSAGES[region][key],
                modifications=modifications,
                emergency=emergency,
            )
            for key, (outcome, modifications, emergency) in specs.items()
        }
        for region in REGIONS
    }


_RULES: dict[str, tuple[str, tuple[str, ...], bool]] = {
    "RF-CES": ("refer_urgently", (), True),
    "RF-WEAKNESS": ("refer_urgently", (), False),
    "RF-DVT": ("refer_urgently", (), False),
    "RF-DVT:emergency": ("refer_urgently", (), True),
    "RF-INFECTION": ("reschedule", (), False),
    "RF-INFECTION:clearance": ("needs_clearance", (), False),
    "RF-INFECTION:later": ("proceed_with_modifications", ("check_symptoms_first",), False),
    "RF-CANCER": ("needs_clearance", (), False),
    "RF-SYSTEMIC": ("needs_clearance", (), False),
    "RF-FRACTURE": ("needs_clearance", (), False),
    "CL-SPINAL-PROCEDURE": ("needs_clearance", ("avoid_procedure_site",), False),
    "CL-PREGNANCY": ("needs_clearance", (), False),
    "CL-BLEEDING": ("needs_clearance", (), False),
    "HIST-BRUISING": ("needs_clearance", (), False),
    "TIME-FLARE": ("reschedule", (), False),
    "TIME-FLARE:gentle": ("proceed_with_modifications", ("gentle_only",), False),
    "TIME-FLARE:later": ("proceed_with_modifications", ("check_symptoms_first",), False),
    "TIME-ACTIVITY": (
        "proceed_with_modifications",
        ("gentle_only", "check_symptoms_first"),
        False,
    ),
    "MOD-RADICULAR": (
        "proceed_with_modifications",
        ("avoid_direct_sciatic_pressure", "side_lying", "stop_if_leg_symptoms_spread"),
        False,
    ),
    "MOD-PRESSURE": ("proceed_with_modifications", ("max_pressure_medium",), False),
    "MOD-BONE": (
        "proceed_with_modifications",
        ("light_pressure", "no_spinal_mobilisation"),
        False,
    ),
    "MOD-BLEEDING": ("proceed_with_modifications", ("light_pressure", "no_deep_tissue"), False),
    "MOD-PREGNANCY": (
        "proceed_with_modifications",
        ("side_lying_supported", "no_deep_pressure_legs_inner_thigh"),
        False,
    ),
    "THER-QUALIFIED": ("proceed_with_modifications", (), False),
    "HIST-AGGRAVATION": ("reschedule", (), False),
    "HIST-AGGRAVATION:reduce": ("proceed_with_modifications", ("reduce_depth",), False),
    "ADV-REVIEW": ("proceed", (), False),
    "ADV-REVIEW:signs": ("proceed", (), False),
}

_REASONS = build_reasons(_RULES)

# Every rule id screen() can fire.
RULE_IDS: tuple[str, ...] = tuple(dict.fromkeys(key.partition(":")[0] for key in _RULES))


def decide(
    reasons: list[Reason] | tuple[Reason, ...],
    *,
    earliest_advised_start: datetime | None = None,
    needs_qualified_therapist: bool = False,
) -> Decision:
    """Combine fired reasons into a decision: the most severe outcome wins."""
    best = _PROCEED_RANK
    modifications: list[str] = []
    emergency = False
    for reason in reasons:
        rank = _RANK[reason.outcome]
        if rank < best:
            best = rank
        if reason.modifications:
            modifications.extend(reason.modifications)
        if reason.emergency:
            emergency = True
    outcome = OUTCOMES[best]
    return Decision(
        outcome,
        tuple(reasons),
        tuple(dict.fromkeys(modifications)),
        # The API: the advised start belongs to a reschedule only; under a more
        # severe outcome a date would read as permission to come then.
        earliest_advised_start if outcome == "reschedule" else None,
        needs_qualified_therapist,
        emergency,
    )


def _aggravations_counted(history: History, answered_at: datetime, window: timedelta) -> list[AggravationFlag]:
    """The aggravation flags HIST-AGGRAVATION reads: the last completed session's, and earlier open ones."""
    counted = []
    last = history.last_completed_aggravation
    # An open flag counts on any session; a resolved one only on a last session inside the window.
    start = history.last_completed_start
    if last is not None and start is not None and (last.open or answered_at - start <= window):
        counted.append(last)
    if history.earlier_open_aggravation_at is not None:
        counted.append(AggravationFlag(history.earlier_open_aggravation_at, True))
    return counted


def screen(ctx: ScreeningContext) -> Decision:
    """Run every booking rule on validated answers and return the decision."""
    get = ctx.answers.get
    policy = ctx.policy
    table = _REASONS[policy.emergency_region]
    age = ctx.client_age
    older = age is not None and age >= 50
    fired: list[Reason] = []
    add = fired.append
    earliest: datetime | None = None
    needs_qualified = False

    # `is True` throughout: a missing answer means "not reported", never yes.
    if (
        get("saddle_numbness") is True
        or get("bladder_change") is True
        or get("bowel_change") is True
        or get("sexual_change") is True
        or get("both_legs") is True
    ):
        add(table["RF-CES"])
    if get("leg_weakness_new") is True:
        add(table["RF-WEAKNESS"])
    # Breathlessness or chest pain now is an emergency with or without leg signs,
    # so it fires RF-DVT's emergency wording on its own.
    if get("breathless_or_chest_pain") is True:
        add(table["RF-DVT:emergency"])
    elif get("dvt_signs") is True:
        add(table["RF-DVT"])

    worst = get("worst_pain_24h")
    if get("fever_or_unwell") is True:
        if worst is not None and worst >= _INFECTION_SEVERE_PAIN:
            add(table["RF-INFECTION:clearance"])
        else:
            # Every reschedule advises a date: when a fever has usually passed. A session booked after
            # that already is the later date: it stands, and the therapist checks the client is well.
            well_by = ctx.answered_at + timedelta(hours=policy.infection_reschedule_hours)
            if ctx.session_start >= well_by:
                add(table["RF-INFECTION:later"])
            else:
                add(table["RF-INFECTION"])
                earliest = well_by if earliest is None else max(earliest, well_by)
    cancer = get("cancer_history") is True
    weight_loss = get("weight_loss_unexplained") is True
    night_pain = get("night_pain_unrelieved") is True
    if cancer and (weight_loss or night_pain or older):
        add(table["RF-CANCER"])
    # The same warning signs without a cancer history: together they need a clinician; one alone at
    # 50 or over is worth a review (ADV-REVIEW below).
    if not cancer and weight_loss and night_pain:
        add(table["RF-SYSTEMIC"])
    trauma = get("trauma_recent")
    osteo = get("osteoporosis_or_steroids") is True
    if trauma == "major" or (trauma == "minor" and (older or osteo)):
        add(table["RF-FRACTURE"])

    if get("spinal_procedure_recent") is True:
        add(table["CL-SPINAL-PROCEDURE"])
    if get("pregnancy_complications") is True:
        add(table["CL-PREGNANCY"])
    thinners = get("blood_thinners") is True
    if thinners and get("easy_bruising") is True:
        add(table["CL-BLEEDING"])

    if get("flare_last_72h") is True or (worst is not None and worst >= policy.flare_pain_threshold):
        settled_at = ctx.answered_at + timedelta(hours=policy.flare_reschedule_hours)
        if ctx.session_start >= settled_at:
            add(table["TIME-FLARE:later"])
        elif policy.flare_action == "reschedule":
            add(table["TIME-FLARE"])
            earliest = settled_at if earliest is None else max(earliest, settled_at)
        else:
            add(table["TIME-FLARE:gentle"])
    if (get("heavy_lifting_24h") is True or get("prolonged_sitting_24h") is True) and (
        ctx.session_start - ctx.answered_at <= timedelta(hours=policy.activity_window_hours)
    ):
        add(table["TIME-ACTIVITY"])

    sciatica = get("has_sciatica") is True
    if sciatica and (get("pain_below_knee") is True or get("numbness_or_tingling") is True):
        add(table["MOD-RADICULAR"])
    if sciatica and ctx.service_pressure in _FIRM_PRESSURES:
        add(table["MOD-PRESSURE"])
    if osteo:
        add(table["MOD-BONE"])
    if thinners:
        add(table["MOD-BLEEDING"])
    if get("pregnant") is True:
        add(table["MOD-PREGNANCY"])
    qualifications = ctx.therapist_qualifications
    if sciatica and qualifications is not None and "sciatica" not in qualifications:
        add(table["THER-QUALIFIED"])
        needs_qualified = True

    history = ctx.history
    if history is not None:
        window = timedelta(days=policy.history_days)
        counted = _aggravations_counted(history, ctx.answered_at, window)
        if counted:
            open_days = timedelta(days=policy.history_open_flag_days)
            # "Within 7 days" runs from the flag to the new answer, strictly inside, so that the advised
            # start (flag + open days) is the first moment the rule no longer asks to wait.
            recent_open = [flag for flag in counted if flag.open and ctx.answered_at - flag.raised_at < open_days]
            advised = max(flag.raised_at for flag in recent_open) + open_days if recent_open else None
            # A session already booked for the advised date or later is the later date: it goes
            # ahead, less deeply (as RF-INFECTION lets such a session stand).
            if advised is not None and ctx.session_start < advised:
                add(table["HIST-AGGRAVATION"])
                earliest = advised if earliest is None else max(earliest, advised)
            else:
                add(table["HIST-AGGRAVATION:reduce"])
        bruised = history.bruising_flagged_at
        if bruised is not None and ctx.session_start - bruised <= window:
            add(table["HIST-BRUISING"])

    weeks = get("episode_weeks")
    if weeks is not None and weeks > _REVIEW_AFTER_WEEKS and get("clinician_assessed") is not True:
        add(table["ADV-REVIEW"])
    elif not cancer and older and weight_loss != night_pain:
        add(table["ADV-REVIEW:signs"])

    if not fired:
        return Decision("proceed", (), (), None, False, False)
    return decide(fired, earliest_advised_start=earliest, needs_qualified_therapist=needs_qualified)
