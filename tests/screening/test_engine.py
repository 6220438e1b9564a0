"""Each booking rule of docs/screening.md: a case that fires it and one that just misses it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from service.screening.engine import (
    OUTCOMES,
    RULE_IDS,
    RULE_SET_NAME,
    RULE_SET_VERSION,
    AggravationFlag,
    Decision,
    History,
    Reason,
    ScreeningContext,
    screen,
    severity_rank,
)
from service.screening.messages import MESSAGES, REGIONS, SCREENING_NOTE
from service.screening.policy import ClinicPolicy, PolicyInvalid

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
SOON = NOW + timedelta(hours=2)
NEXT_WEEK = NOW + timedelta(days=7)
MINUTE = timedelta(minutes=1)

CES = ("saddle_numbness", "bladder_change", "bowel_change", "sexual_change", "both_legs")

CLIENT_BANNED = ("cauda equina", "dvt", "thrombosis", "embolism", "cancer", "fracture", "infection", "tumour")
THERAPIST_BANNED = ("cauda equina", "dvt", "thrombosis", "embolism", "fracture", "infection", "tumour")


def context(
    answers: dict | None = None,
    *,
    start: datetime = NEXT_WEEK,
    answered_at: datetime = NOW,
    pressure: str = "light",
    age: int | None = 40,
    qualifications: frozenset[str] | None = frozenset({"sciatica"}),
    history: History | None = None,
    policy: ClinicPolicy | None = None,
) -> ScreeningContext:
    return ScreeningContext(
        answers=answers or {},
        answered_at=answered_at,
        session_start=start,
        service_pressure=pressure,
        client_age=age,
        therapist_qualifications=qualifications,
        history=history,
        policy=policy or ClinicPolicy(),
    )


OUT_OF_WINDOW = NOW - timedelta(days=30) - timedelta(minutes=1)


def aggravation(flagged_at: datetime, *, open_flag: bool, session_start: datetime | None = None) -> History:
    """An aggravation flag on the client's most recent completed session (the day before it, by default)."""
    return History(
        last_completed_start=session_start or flagged_at - timedelta(days=1),
        last_completed_aggravation=AggravationFlag(flagged_at, open_flag),
        earlier_open_aggravation_at=None,
        bruising_flagged_at=None,
    )


def earlier_open(flagged_at: datetime, *, last_completed_start: datetime | None = None) -> History:
    """An open aggravation flag on an earlier session; the last completed session (if any) had none."""
    return History(
        last_completed_start=last_completed_start,
        last_completed_aggravation=None,
        earlier_open_aggravation_at=flagged_at,
        bruising_flagged_at=None,
    )


def bruising(flagged_at: datetime) -> History:
    return History(
        last_completed_start=flagged_at - timedelta(days=1),
        last_completed_aggravation=None,
        earlier_open_aggravation_at=None,
        bruising_flagged_at=flagged_at,
    )


def reason_for(decision: Decision, rule: str) -> Reason | None:
    return next((reason for reason in decision.reasons if reason.rule == rule), None)


# (case id, rule, context that fires it, the rule's outcome there, context that just misses it)
RULE_CASES = [
    *[(f"RF-CES {sign}", "RF-CES", context({sign: True}), "refer_urgently", context({sign: False})) for sign in CES],
    ("RF-WEAKNESS", "RF-WEAKNESS", context({"leg_weakness_new": True}), "refer_urgently", context({})),
    ("RF-DVT", "RF-DVT", context({"dvt_signs": True}), "refer_urgently", context({"dvt_signs": False})),
    (
        "RF-DVT breathless",
        "RF-DVT",
        context({"dvt_signs": True, "breathless_or_chest_pain": True}),
        "refer_urgently",
        context({"breathless_or_chest_pain": False}),
    ),
    (
        "RF-INFECTION reschedule at pain 6",
        "RF-INFECTION",
        context({"fever_or_unwell": True, "worst_pain_24h": 6}, start=SOON),
        "reschedule",
        context({"fever_or_unwell": False, "worst_pain_24h": 6}),
    ),
    (
        "RF-INFECTION clearance at pain 7",
        "RF-INFECTION",
        context({"fever_or_unwell": True, "worst_pain_24h": 7}),
        "needs_clearance",
        context({"fever_or_unwell": False, "worst_pain_24h": 7}),
    ),
    (
        "RF-CANCER age 50 vs 49",
        "RF-CANCER",
        context({"cancer_history": True}, age=50),
        "needs_clearance",
        context({"cancer_history": True}, age=49),
    ),
    (
        "RF-CANCER weight loss",
        "RF-CANCER",
        context({"cancer_history": True, "weight_loss_unexplained": True}),
        "needs_clearance",
        context({"cancer_history": False, "weight_loss_unexplained": True}),
    ),
    (
        "RF-CANCER night pain",
        "RF-CANCER",
        context({"cancer_history": True, "night_pain_unrelieved": True}),
        "needs_clearance",
        context({"cancer_history": True, "night_pain_unrelieved": False}, age=None),
    ),
    (
        "RF-SYSTEMIC weight loss with night pain vs weight loss alone",
        "RF-SYSTEMIC",
        context({"weight_loss_unexplained": True, "night_pain_unrelieved": True}, age=40),
        "needs_clearance",
        context({"weight_loss_unexplained": True, "night_pain_unrelieved": False}, age=40),
    ),
    (
        "RF-SYSTEMIC without a cancer history vs with one (RF-CANCER instead)",
        "RF-SYSTEMIC",
        context({"weight_loss_unexplained": True, "night_pain_unrelieved": True, "cancer_history": False}),
        "needs_clearance",
        context({"weight_loss_unexplained": True, "night_pain_unrelieved": True, "cancer_history": True}),
    ),
    (
        "ADV-REVIEW one warning sign at 50 vs 49",
        "ADV-REVIEW",
        context({"night_pain_unrelieved": True}, age=50),
        "proceed",
        context({"night_pain_unrelieved": True}, age=49),
    ),
    (
        "ADV-REVIEW one warning sign at 50, not with a cancer history (RF-CANCER instead)",
        "ADV-REVIEW",
        context({"weight_loss_unexplained": True, "cancer_history": False}, age=60),
        "proceed",
        context({"weight_loss_unexplained": True, "cancer_history": True}, age=60),
    ),
    (
        "RF-FRACTURE major vs none",
        "RF-FRACTURE",
        context({"trauma_recent": "major"}),
        "needs_clearance",
        context({"trauma_recent": "none"}, age=80),
    ),
    (
        "RF-FRACTURE minor at 50 vs 49",
        "RF-FRACTURE",
        context({"trauma_recent": "minor"}, age=50),
        "needs_clearance",
        context({"trauma_recent": "minor"}, age=49),
    ),
    (
        "RF-FRACTURE minor with osteoporosis",
        "RF-FRACTURE",
        context({"trauma_recent": "minor", "osteoporosis_or_steroids": True}, age=30),
        "needs_clearance",
        context({"trauma_recent": "minor", "osteoporosis_or_steroids": False}, age=30),
    ),
    (
        "CL-SPINAL-PROCEDURE",
        "CL-SPINAL-PROCEDURE",
        context({"spinal_procedure_recent": True}),
        "needs_clearance",
        context({"spinal_procedure_recent": False}),
    ),
    (
        "CL-PREGNANCY",
        "CL-PREGNANCY",
        context({"pregnant": True, "pregnancy_complications": True}),
        "needs_clearance",
        context({"pregnant": True, "pregnancy_complications": False}),
    ),
    (
        "CL-BLEEDING",
        "CL-BLEEDING",
        context({"blood_thinners": True, "easy_bruising": True}),
        "needs_clearance",
        context({"blood_thinners": True, "easy_bruising": False}),
    ),
    (
        "TIME-FLARE pain 7 vs 6",
        "TIME-FLARE",
        context({"worst_pain_24h": 7}, start=SOON),
        "reschedule",
        context({"worst_pain_24h": 6}, start=SOON),
    ),
    (
        "TIME-FLARE flare in 72 h",
        "TIME-FLARE",
        context({"flare_last_72h": True}, start=SOON),
        "reschedule",
        context({"flare_last_72h": False}, start=SOON),
    ),
    (
        "TIME-ACTIVITY lifting 24 h vs 24 h + 1 min",
        "TIME-ACTIVITY",
        context({"heavy_lifting_24h": True}, start=NOW + timedelta(hours=24)),
        "proceed_with_modifications",
        context({"heavy_lifting_24h": True}, start=NOW + timedelta(hours=24) + MINUTE),
    ),
    (
        "TIME-ACTIVITY sitting",
        "TIME-ACTIVITY",
        context({"prolonged_sitting_24h": True}, start=SOON),
        "proceed_with_modifications",
        context({"prolonged_sitting_24h": False}, start=SOON),
    ),
    (
        "MOD-RADICULAR below knee",
        "MOD-RADICULAR",
        context({"has_sciatica": True, "pain_below_knee": True}),
        "proceed_with_modifications",
        context({"has_sciatica": True, "pain_below_knee": False}),
    ),
    (
        "MOD-RADICULAR numbness",
        "MOD-RADICULAR",
        context({"has_sciatica": True, "numbness_or_tingling": True}),
        "proceed_with_modifications",
        context({"has_sciatica": False}),
    ),
    (
        "MOD-PRESSURE firm vs medium",
        "MOD-PRESSURE",
        context({"has_sciatica": True}, pressure="firm"),
        "proceed_with_modifications",
        context({"has_sciatica": True}, pressure="medium"),
    ),
    (
        "MOD-PRESSURE deep without sciatica",
        "MOD-PRESSURE",
        context({"has_sciatica": True}, pressure="deep"),
        "proceed_with_modifications",
        context({"has_sciatica": False}, pressure="deep"),
    ),
    (
        "MOD-BONE",
        "MOD-BONE",
        context({"osteoporosis_or_steroids": True}),
        "proceed_with_modifications",
        context({"osteoporosis_or_steroids": False}),
    ),
    (
        "MOD-BLEEDING",
        "MOD-BLEEDING",
        context({"blood_thinners": True}),
        "proceed_with_modifications",
        context({"blood_thinners": False, "easy_bruising": True}),
    ),
    (
        "MOD-PREGNANCY",
        "MOD-PREGNANCY",
        context({"pregnant": True, "pregnancy_weeks": 30}),
        "proceed_with_modifications",
        context({"pregnant": False}),
    ),
    (
        "THER-QUALIFIED unqualified vs qualified",
        "THER-QUALIFIED",
        context({"has_sciatica": True}, qualifications=frozenset({"prenatal"})),
        "proceed_with_modifications",
        context({"has_sciatica": True}, qualifications=frozenset({"sciatica", "prenatal"})),
    ),
    (
        "THER-QUALIFIED no therapist chosen",
        "THER-QUALIFIED",
        context({"has_sciatica": True}, qualifications=frozenset()),
        "proceed_with_modifications",
        context({"has_sciatica": True}, qualifications=None),
    ),
    (
        "HIST-AGGRAVATION open, raised 7 days before the answer less a minute vs exactly 7 days",
        "HIST-AGGRAVATION",
        # The session before the advised start (flag + 7 days, a minute after the answer).
        context(history=aggravation(NOW - timedelta(days=7) + MINUTE, open_flag=True), start=NOW + MINUTE / 2),
        "reschedule",
        context(history=None),
    ),
    (
        "HIST-AGGRAVATION last completed session 30 days before the answer vs 30 days + 1 min (resolved flag)",
        "HIST-AGGRAVATION",
        context(history=aggravation(NOW - timedelta(days=29), open_flag=False, session_start=NOW - timedelta(days=30))),
        "proceed_with_modifications",
        context(
            history=aggravation(
                NOW - timedelta(days=29), open_flag=False, session_start=NOW - timedelta(days=30) - MINUTE
            )
        ),
    ),
    (
        "HIST-AGGRAVATION an earlier session's flag counts while open, not once resolved",
        "HIST-AGGRAVATION",
        context(history=earlier_open(NOW - timedelta(days=90))),
        "proceed_with_modifications",
        context(history=None),
    ),
    (
        "HIST-BRUISING 30 days vs 30 days + 1 min",
        "HIST-BRUISING",
        context(history=bruising(NEXT_WEEK - timedelta(days=30))),
        "needs_clearance",
        context(history=bruising(NEXT_WEEK - timedelta(days=30) - MINUTE)),
    ),
    (
        "ADV-REVIEW 7 weeks vs 6",
        "ADV-REVIEW",
        context({"episode_weeks": 7}),
        "proceed",
        context({"episode_weeks": 6}),
    ),
    (
        "ADV-REVIEW unless assessed",
        "ADV-REVIEW",
        context({"episode_weeks": 7, "clinician_assessed": False}),
        "proceed",
        context({"episode_weeks": 7, "clinician_assessed": True}),
    ),
]

# Rules whose client message must carry emergency wording.
EMERGENCY_CASES = [
    ("RF-CES", {"saddle_numbness": True}),
    ("RF-DVT", {"breathless_or_chest_pain": True}),
    ("RF-DVT", {"dvt_signs": True, "breathless_or_chest_pain": True}),
]
EMERGENCY_WORDS = {"uk": ("A&E", "999"), "us": ("emergency room", "911"), "generic": ("emergency services",)}


@pytest.mark.parametrize(
    ("rule", "fires", "outcome", "misses"),
    [pytest.param(*case[1:], id=case[0]) for case in RULE_CASES],
)
def test_each_rule_fires_at_its_edge_and_just_misses_below_it(rule, fires, outcome, misses):
    decision = screen(fires)
    reason = reason_for(decision, rule)
    assert reason is not None, f"{rule} should fire"
    assert reason.outcome == outcome
    assert severity_rank(decision.outcome) <= severity_rank(outcome)
    assert reason_for(screen(misses), rule) is None, f"{rule} should not fire"


def test_every_rule_of_the_booking_table_is_covered():
    clinical = {
        "RF-CES",
        "RF-WEAKNESS",
        "RF-DVT",
        "RF-INFECTION",
        "RF-CANCER",
        "RF-FRACTURE",
        "CL-SPINAL-PROCEDURE",
        "CL-PREGNANCY",
        "CL-BLEEDING",
        "TIME-FLARE",
        "TIME-ACTIVITY",
        "MOD-RADICULAR",
        "MOD-PRESSURE",
        "MOD-BONE",
        "MOD-BLEEDING",
        "MOD-PREGNANCY",
        "THER-QUALIFIED",
        "HIST-AGGRAVATION",
        "HIST-BRUISING",
        "ADV-REVIEW",
        "RF-SYSTEMIC",
    }
    assert set(RULE_IDS) == clinical
    assert {case[1] for case in RULE_CASES} == clinical


@pytest.mark.parametrize("region", REGIONS)
@pytest.mark.parametrize(
    ("rule", "fires"),
    [pytest.param(*case[1:3], id=case[0]) for case in RULE_CASES],
)
def test_each_rule_has_calm_messages_in_every_region(region, rule, fires):
    decision = screen(replace(fires, policy=replace(fires.policy, emergency_region=region)))
    reason = reason_for(decision, rule)
    client = reason.client_message.lower()
    therapist = reason.therapist_message.lower()
    assert client
    assert therapist
    assert not any(word in client for word in CLIENT_BANNED)
    assert not any(word in therapist for word in THERAPIST_BANNED)
    if reason.outcome in ("refer_urgently", "needs_clearance"):
        assert SCREENING_NOTE in reason.client_message


@pytest.mark.parametrize("region", REGIONS)
@pytest.mark.parametrize(("rule", "answers"), EMERGENCY_CASES)
def test_emergency_rules_use_the_regions_emergency_wording(region, rule, answers):
    decision = screen(context(answers, policy=ClinicPolicy(emergency_region=region)))
    reason = reason_for(decision, rule)
    assert reason.emergency
    assert decision.emergency
    assert decision.outcome == "refer_urgently"
    for word in EMERGENCY_WORDS[region]:
        assert word in reason.client_message
    other_numbers = {"uk": ("911",), "us": ("999", "A&E"), "generic": ("999", "911")}[region]
    assert not any(number in reason.client_message for number in other_numbers)


def test_dvt_signs_alone_send_to_a_doctor_today_without_emergency_flag():
    decision = screen(context({"dvt_signs": True}, policy=ClinicPolicy(emergency_region="uk")))
    reason = reason_for(decision, "RF-DVT")
    assert not reason.emergency
    assert "today" in reason.client_message
    assert "111" in reason.client_message


def test_leg_weakness_sends_to_a_doctor_today_in_the_regions_words():
    for region, word in (("uk", "111"), ("us", "911"), ("generic", "emergency services")):
        decision = screen(context({"leg_weakness_new": True}, policy=ClinicPolicy(emergency_region=region)))
        assert word in reason_for(decision, "RF-WEAKNESS").client_message


def test_every_message_in_every_region_avoids_diagnosis_words():
    for region in REGIONS:
        for key, (client, therapist) in MESSAGES[region].items():
            assert not any(word in client.lower() for word in CLIENT_BANNED), key
            assert not any(word in therapist.lower() for word in THERAPIST_BANNED), key
            assert "{" not in client
            assert "{" not in therapist


def test_no_answers_proceed_with_no_reasons():
    decision = screen(context({}))
    assert decision == Decision("proceed", (), (), None, False, False)


def test_advisory_only_proceeds_with_its_reason_kept():
    decision = screen(context({"episode_weeks": 10}))
    assert decision.outcome == "proceed"
    assert [reason.rule for reason in decision.reasons] == ["ADV-REVIEW"]


def test_outcome_is_the_most_severe_fired_rule():
    answers = {"saddle_numbness": True, "cancer_history": True, "weight_loss_unexplained": True, "blood_thinners": True}
    decision = screen(context(answers))
    assert decision.outcome == "refer_urgently"
    assert {reason.outcome for reason in decision.reasons} == {
        "refer_urgently",
        "needs_clearance",
        "proceed_with_modifications",
    }


def test_flare_reschedules_to_72_hours_after_the_answer():
    decision = screen(context({"worst_pain_24h": 9}, start=NOW + timedelta(hours=72) - MINUTE))
    assert decision.outcome == "reschedule"
    assert decision.earliest_advised_start == NOW + timedelta(hours=72)


def test_flare_with_a_session_after_72_hours_only_checks_symptoms_first():
    decision = screen(context({"worst_pain_24h": 9}, start=NOW + timedelta(hours=72)))
    reason = reason_for(decision, "TIME-FLARE")
    assert reason.outcome == "proceed_with_modifications"
    assert decision.outcome == "proceed_with_modifications"
    assert decision.modifications == ("check_symptoms_first",)
    assert decision.earliest_advised_start is None


def test_flare_with_gentle_only_policy_proceeds_gently():
    policy = ClinicPolicy(flare_action="gentle_only")
    decision = screen(context({"flare_last_72h": True}, start=SOON, policy=policy))
    assert decision.outcome == "proceed_with_modifications"
    assert "gentle_only" in decision.modifications
    assert decision.earliest_advised_start is None


def test_policy_flare_threshold_of_8_moves_the_edge():
    policy = ClinicPolicy(flare_pain_threshold=8)
    assert reason_for(screen(context({"worst_pain_24h": 7}, start=SOON, policy=policy)), "TIME-FLARE") is None
    assert reason_for(screen(context({"worst_pain_24h": 8}, start=SOON, policy=policy)), "TIME-FLARE") is not None


def test_policy_flare_reschedule_hours_sets_the_advised_start():
    policy = ClinicPolicy(flare_reschedule_hours=96)
    decision = screen(context({"flare_last_72h": True}, start=NOW + timedelta(hours=80), policy=policy))
    assert decision.earliest_advised_start == NOW + timedelta(hours=96)


def test_policy_activity_window_moves_the_edge():
    policy = ClinicPolicy(activity_window_hours=48)
    start = NOW + timedelta(hours=48)
    assert reason_for(screen(context({"heavy_lifting_24h": True}, start=start, policy=policy)), "TIME-ACTIVITY")
    assert not reason_for(
        screen(context({"heavy_lifting_24h": True}, start=start + MINUTE, policy=policy)), "TIME-ACTIVITY"
    )


def test_policy_history_days_moves_the_edge():
    policy = ClinicPolicy(history_days=14)
    history = aggravation(NOW - timedelta(days=13), open_flag=False, session_start=NOW - timedelta(days=14) - MINUTE)
    assert reason_for(screen(context(history=history, policy=policy)), "HIST-AGGRAVATION") is None
    assert reason_for(screen(context(history=history)), "HIST-AGGRAVATION") is not None


def test_open_aggravation_flag_at_exactly_7_days_reduces_depth_instead():
    history = aggravation(NOW - timedelta(days=7), open_flag=True)
    decision = screen(context(history=history))
    assert decision.outcome == "proceed_with_modifications"
    assert decision.modifications == ("reduce_depth",)


def test_resolved_aggravation_flag_within_7_days_reduces_depth():
    history = aggravation(NOW - timedelta(days=2), open_flag=False)
    decision = screen(context(history=history))
    assert reason_for(decision, "HIST-AGGRAVATION").outcome == "proceed_with_modifications"
    assert "reduce_depth" in decision.modifications


def test_open_aggravation_flag_advises_a_start_when_the_flag_leaves_the_open_window():
    flagged = NOW - timedelta(days=2)
    decision = screen(context(history=aggravation(flagged, open_flag=True), start=SOON))
    assert decision.outcome == "reschedule"
    assert decision.earliest_advised_start == flagged + timedelta(days=7)


def test_the_latest_advised_start_is_kept():
    start = NOW + timedelta(hours=2)
    flagged = NOW - timedelta(days=1)
    decision = screen(context({"flare_last_72h": True}, start=start, history=aggravation(flagged, open_flag=True)))
    assert decision.earliest_advised_start == max(NOW + timedelta(hours=72), flagged + timedelta(days=7))
    flagged = NOW - timedelta(days=6)
    decision = screen(context({"flare_last_72h": True}, start=start, history=aggravation(flagged, open_flag=True)))
    assert decision.earliest_advised_start == NOW + timedelta(hours=72)


def test_no_advised_start_when_a_more_severe_outcome_wins():
    decision = screen(context({"worst_pain_24h": 9, "spinal_procedure_recent": True}, start=SOON))
    assert decision.outcome == "needs_clearance"
    assert decision.earliest_advised_start is None


def test_modifications_are_deduplicated_in_stable_order():
    answers = {"osteoporosis_or_steroids": True, "blood_thinners": True}
    decision = screen(context(answers))
    assert decision.modifications == ("light_pressure", "no_spinal_mobilisation", "no_deep_tissue")


def test_radicular_modifications_use_the_contract_words():
    decision = screen(context({"has_sciatica": True, "pain_below_knee": True}, pressure="deep"))
    assert decision.modifications == (
        "avoid_direct_sciatic_pressure",
        "side_lying",
        "stop_if_leg_symptoms_spread",
        "max_pressure_medium",
    )


def test_unqualified_therapist_asks_for_a_qualified_one():
    decision = screen(context({"has_sciatica": True}, qualifications=frozenset()))
    assert decision.needs_qualified_therapist
    assert decision.outcome == "proceed_with_modifications"
    assert not screen(context({"has_sciatica": True}, qualifications=None)).needs_qualified_therapist


def test_spinal_procedure_keeps_the_avoid_site_modification():
    decision = screen(context({"spinal_procedure_recent": True}))
    assert decision.modifications == ("avoid_procedure_site",)


def test_unknown_age_does_not_count_as_50_or_over():
    assert reason_for(screen(context({"cancer_history": True}, age=None)), "RF-CANCER") is None
    assert reason_for(screen(context({"trauma_recent": "minor"}, age=None)), "RF-FRACTURE") is None


def test_reason_as_dict_has_exactly_the_contract_fields():
    reason = screen(context({"saddle_numbness": True})).reasons[0]
    assert set(reason.as_dict()) == {"rule", "outcome", "client_message", "therapist_message"}


def test_decision_as_dict_serialises_the_advised_start():
    decision = screen(context({"worst_pain_24h": 9}, start=SOON))
    assert decision.as_dict()["earliest_advised_start"] == (NOW + timedelta(hours=72)).isoformat()


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        context(answered_at=datetime(2025, 3, 3, 9, 0))


def test_outcomes_are_ordered_most_severe_first():
    assert OUTCOMES == ("refer_urgently", "needs_clearance", "reschedule", "proceed_with_modifications", "proceed")
    assert [severity_rank(outcome) for outcome in OUTCOMES] == [0, 1, 2, 3, 4]


def test_rule_set_is_named_and_versioned():
    assert RULE_SET_NAME == "sciatica"
    assert RULE_SET_VERSION == "1.1.0"


def test_policy_defaults_are_the_rule_pack_defaults():
    assert ClinicPolicy().to_dict() == {
        "emergency_region": "generic",
        "flare_pain_threshold": 7,
        "flare_reschedule_hours": 72,
        "flare_action": "reschedule",
        "infection_reschedule_hours": 72,
        "activity_window_hours": 24,
        "spinal_procedure_weeks": 12,
        "history_days": 30,
        "history_open_flag_days": 7,
        "pain_rise_points": 2,
        "pain_rise_percent": 30,
        "pre_session_hours": 48,
        "post_session_hours": 24,
        "reminder_hours_before": 24,
        "post_session_link_days": 7,
        "outcome_followup_days": 28,
        "retention_days": 2920,
        "escalate_critical_minutes": 15,
        "escalate_warning_minutes": 240,
    }


def test_policy_from_dict_fills_defaults_and_round_trips():
    policy = ClinicPolicy.from_dict({"emergency_region": "uk", "flare_pain_threshold": 8})
    assert policy == ClinicPolicy(emergency_region="uk", flare_pain_threshold=8)
    assert ClinicPolicy.from_dict(policy.to_dict()) == policy
    assert ClinicPolicy.from_dict({}) == ClinicPolicy()


def test_policy_from_dict_names_every_bad_setting():
    with pytest.raises(PolicyInvalid) as caught:
        ClinicPolicy.from_dict(
            {
                "emergency_region": "eu",
                "flare_pain_threshold": 11,
                "flare_reschedule_hours": "72",
                "history_days": True,
                "pain_rise_percent": 0,
                "flare_action": 1,
                "colour": "blue",
            }
        )
    assert [(error["attr"], error["code"]) for error in caught.value.errors] == [
        ("policy.emergency_region", "invalid_choice"),
        ("policy.flare_pain_threshold", "out_of_range"),
        ("policy.flare_reschedule_hours", "invalid_type"),
        ("policy.history_days", "invalid_type"),
        ("policy.pain_rise_percent", "out_of_range"),
        ("policy.flare_action", "invalid_type"),
        ("policy.colour", "unknown_key"),
    ]


def test_policy_refuses_bad_values_when_built_directly():
    with pytest.raises(PolicyInvalid):
        ClinicPolicy(flare_reschedule_hours=0)


@pytest.mark.parametrize("region", REGIONS)
def test_a_fever_reschedules_to_the_clinics_infection_hours_and_says_to_see_a_doctor(region):
    policy = ClinicPolicy(emergency_region=region)
    decision = screen(context({"fever_or_unwell": True, "worst_pain_24h": 6}, start=SOON, policy=policy))
    reason = reason_for(decision, "RF-INFECTION")

    assert decision.outcome == "reschedule"
    assert decision.earliest_advised_start == NOW + timedelta(hours=72)
    assert "if the fever and back pain go on, please see" in reason.client_message.lower()

    later = screen(context({"fever_or_unwell": True}, start=SOON, policy=ClinicPolicy(infection_reschedule_hours=120)))
    assert later.earliest_advised_start == NOW + timedelta(hours=120)


@pytest.mark.parametrize("region", REGIONS)
def test_a_fever_before_a_session_booked_after_the_wait_keeps_the_booking_with_a_check(region):
    policy = ClinicPolicy(emergency_region=region)
    edge = NOW + timedelta(hours=72)
    at_edge = screen(context({"fever_or_unwell": True}, start=edge, policy=policy))
    before_edge = screen(context({"fever_or_unwell": True}, start=edge - MINUTE, policy=policy))

    assert at_edge.outcome == "proceed_with_modifications"
    assert at_edge.modifications == ("check_symptoms_first",)
    assert "see" in reason_for(at_edge, "RF-INFECTION").client_message
    assert before_edge.outcome == "reschedule"
    assert before_edge.earliest_advised_start == edge


@pytest.mark.parametrize("region", REGIONS)
def test_warning_signs_without_a_cancer_history_name_no_condition(region):
    policy = ClinicPolicy(emergency_region=region)
    systemic = reason_for(
        screen(context({"weight_loss_unexplained": True, "night_pain_unrelieved": True}, policy=policy)), "RF-SYSTEMIC"
    )
    review = reason_for(screen(context({"night_pain_unrelieved": True}, age=55, policy=policy)), "ADV-REVIEW")

    assert systemic.outcome == "needs_clearance"
    assert review.outcome == "proceed"
    for text in (systemic.client_message, review.client_message):
        assert "cancer" not in text.lower()
        assert "tumour" not in text.lower()


def test_a_fever_with_a_flare_keeps_the_later_of_the_two_dates():
    policy = ClinicPolicy(infection_reschedule_hours=24, flare_reschedule_hours=96)
    decision = screen(context({"fever_or_unwell": True, "flare_last_72h": True}, start=SOON, policy=policy))
    assert decision.earliest_advised_start == NOW + timedelta(hours=96)


def test_breathlessness_without_clot_signs_still_refers_urgently_with_emergency_wording():
    decision = screen(context({"breathless_or_chest_pain": True, "dvt_signs": False}))
    assert decision.outcome == "refer_urgently"
    assert decision.emergency is True


def test_a_session_booked_for_after_the_open_flags_wait_goes_ahead_less_deeply():
    flagged = NOW - timedelta(days=6)
    advised = flagged + timedelta(days=7)
    history = aggravation(flagged, open_flag=True)

    before = screen(context(history=history, start=advised - MINUTE))
    assert before.outcome == "reschedule"
    assert before.earliest_advised_start == advised

    on_the_day = screen(context(history=history, start=advised))
    assert on_the_day.outcome == "proceed_with_modifications"
    assert on_the_day.modifications == ("reduce_depth",)
    assert on_the_day.earliest_advised_start is None
