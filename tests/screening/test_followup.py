"""Aggravation before the session and the post-session follow-up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from service.screening.followup import assess_follow_up, assess_pre_session, pain_rose
from service.screening.messages import REGIONS, SCREENING_NOTE
from service.screening.policy import ClinicPolicy

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
POLICY = ClinicPolicy()
RED_FLAGS = (
    "saddle_numbness",
    "bladder_change",
    "bowel_change",
    "sexual_change",
    "both_legs",
    "leg_weakness_new",
    "dvt_signs",
    "breathless_or_chest_pain",
)
EMERGENCY_WORDS = {"uk": ("A&E", "999"), "us": ("emergency room", "911"), "generic": ("emergency services",)}


def pre(baseline, answers, *, start=NOW + timedelta(hours=48), policy=POLICY):
    reasons = assess_pre_session(
        baseline=baseline, answers=answers, answered_at=NOW, session_start=start, policy=policy
    )
    return {reason.rule: reason for reason in reasons}


def follow(answers, *, pre_session=None, thinners=False, policy=POLICY):
    return assess_follow_up(
        answers=answers, pre_session_answers=pre_session, blood_thinners_on_file=thinners, policy=policy
    )


@pytest.mark.parametrize(
    ("before", "now", "rose"),
    [
        pytest.param(8, 10, True, id="2 points"),
        pytest.param(8, 9, False, id="1 point, 12 percent"),
        pytest.param(3, 4, True, id="33 percent"),
        pytest.param(4, 5, False, id="25 percent"),
        pytest.param(0, 1, False, id="zero baseline, 1 point"),
        pytest.param(0, 2, True, id="zero baseline, 2 points"),
        pytest.param(5, 3, False, id="fell"),
        pytest.param(None, 9, False, id="no baseline"),
        pytest.param(5, None, False, id="not reported now"),
    ],
)
def test_pain_rise_is_2_points_or_30_percent(before, now, rose):
    assert pain_rose(before, now, policy=POLICY) is rose


def test_pain_rise_thresholds_follow_the_policy():
    assert not pain_rose(8, 10, policy=ClinicPolicy(pain_rise_points=3))
    assert not pain_rose(3, 4, policy=ClinicPolicy(pain_rise_percent=50))
    assert pain_rose(2, 3, policy=ClinicPolicy(pain_rise_percent=50))


def test_pre_session_leg_pain_rise_is_reported():
    reasons = pre({"leg_pain_now": 4}, {"leg_pain_now": 6})
    assert reasons["PRE-PAIN-RISE"].outcome == "proceed_with_modifications"
    assert "check_symptoms_first" in reasons["PRE-PAIN-RISE"].modifications


def test_pre_session_back_pain_rise_is_reported():
    assert "PRE-PAIN-RISE" in pre({"back_pain_now": 5}, {"back_pain_now": 7})


def test_pre_session_pain_just_under_the_rise_is_not_reported():
    assert pre({"leg_pain_now": 4, "back_pain_now": 5}, {"leg_pain_now": 5, "back_pain_now": 6}) == {}


@pytest.mark.parametrize("key", RED_FLAGS)
def test_pre_session_new_red_flag_refers_urgently(key):
    reason = pre({key: False}, {key: True})["PRE-NEW-RED-FLAG"]
    assert reason.outcome == "refer_urgently"
    # New leg weakness or one swollen calf: a doctor today, as at booking; the rest: emergency care.
    assert reason.emergency is (key not in ("leg_weakness_new", "dvt_signs"))


@pytest.mark.parametrize("key", RED_FLAGS)
def test_pre_session_red_flag_already_reported_at_booking_is_not_new(key):
    assert "PRE-NEW-RED-FLAG" not in pre({key: True}, {key: True})


def test_pre_session_without_a_baseline_counts_any_red_flag_as_new():
    assert "PRE-NEW-RED-FLAG" in pre(None, {"dvt_signs": True})
    assert pre(None, {"dvt_signs": False}) == {}


@pytest.mark.parametrize("region", REGIONS)
def test_pre_session_new_red_flag_uses_the_regions_emergency_wording(region):
    reason = pre({}, {"bladder_change": True}, policy=ClinicPolicy(emergency_region=region))["PRE-NEW-RED-FLAG"]
    for word in EMERGENCY_WORDS[region]:
        assert word in reason.client_message
    assert SCREENING_NOTE in reason.client_message


@pytest.mark.parametrize("key", ["heavy_lifting_24h", "prolonged_sitting_24h"])
def test_pre_session_new_activity_within_24_hours_is_reported(key):
    reasons = pre({key: False}, {key: True}, start=NOW + timedelta(hours=24))
    assert reasons["PRE-NEW-ACTIVITY"].modifications == ("gentle_only", "check_symptoms_first")


def test_pre_session_new_activity_outside_the_window_is_not_reported():
    assert pre({}, {"heavy_lifting_24h": True}, start=NOW + timedelta(hours=24) + MINUTE) == {}


def test_pre_session_activity_already_reported_is_not_new():
    assert pre({"heavy_lifting_24h": True}, {"heavy_lifting_24h": True}, start=NOW + timedelta(hours=2)) == {}


def test_pre_session_activity_window_follows_the_policy():
    policy = ClinicPolicy(activity_window_hours=36)
    assert "PRE-NEW-ACTIVITY" in pre({}, {"heavy_lifting_24h": True}, start=NOW + timedelta(hours=36), policy=policy)


@pytest.mark.parametrize("key", RED_FLAGS)
def test_follow_up_red_flag_is_critical_with_urgent_wording(key):
    result = follow({key: True}, policy=ClinicPolicy(emergency_region="uk"))
    assert result.flag_severity == "critical"
    assert result.client_outcome == "refer_urgently"
    reason = result.reasons[0]
    assert reason.rule == "F-RED-FLAG"
    today_only = key in ("leg_weakness_new", "dvt_signs")
    assert reason.emergency is not today_only
    assert ("111" if today_only else "999") in reason.client_message


@pytest.mark.parametrize("region", REGIONS)
def test_follow_up_red_flag_wording_follows_the_region(region):
    result = follow({"saddle_numbness": True}, policy=ClinicPolicy(emergency_region=region))
    for word in EMERGENCY_WORDS[region]:
        assert word in result.reasons[0].client_message


@pytest.mark.parametrize(
    "answers",
    [
        pytest.param({"overall_change": "worse"}, id="worse"),
        pytest.param({"overall_change": "much_worse"}, id="much worse"),
        pytest.param({"soreness": "down_the_leg"}, id="soreness down the leg"),
        pytest.param({"numbness_new_or_spreading": True}, id="numbness spreading"),
    ],
)
def test_follow_up_aggravation_is_a_warning(answers):
    result = follow(answers)
    assert [reason.rule for reason in result.reasons] == ["F-AGGRAVATION"]
    assert result.flag_severity == "warning"
    assert not result.expected_soreness


@pytest.mark.parametrize(
    "answers",
    [
        pytest.param({"overall_change": "slightly_worse"}, id="slightly worse"),
        pytest.param({"soreness": "none"}, id="no soreness"),
        pytest.param({"numbness_new_or_spreading": False}, id="no numbness"),
    ],
)
def test_follow_up_just_short_of_aggravation_raises_no_flag(answers):
    result = follow(answers)
    assert result.flag_severity is None
    assert result.client_outcome == "proceed"


def test_follow_up_leg_pain_rise_over_the_pre_session_answer_is_aggravation():
    assert follow({"leg_pain_now": 6}, pre_session={"leg_pain_now": 4}).flag_severity == "warning"
    assert follow({"leg_pain_now": 6}, pre_session={"leg_pain_now": 5}).flag_severity is None
    assert follow({"leg_pain_now": 9}, pre_session=None).flag_severity is None


def test_follow_up_expected_soreness_reassures_without_a_flag():
    result = follow(
        {"soreness": "massaged_area", "usual_activities_ok": True, "leg_pain_now": 3}, pre_session={"leg_pain_now": 3}
    )
    assert result.flag_severity is None
    assert result.expected_soreness
    assert result.client_outcome == "proceed"
    (reason,) = result.reasons
    assert reason.rule == "F-SORENESS"
    assert reason.outcome == "proceed"
    assert "12 hours" in reason.client_message
    assert "36 to 48 hours" in reason.client_message


def test_follow_up_soreness_that_stops_usual_activities_is_not_expected():
    result = follow({"soreness": "massaged_area", "usual_activities_ok": False})
    assert not result.expected_soreness
    assert result.reasons == ()


def test_follow_up_soreness_with_leg_pain_rise_is_aggravation_not_expected():
    result = follow(
        {"soreness": "massaged_area", "usual_activities_ok": True, "leg_pain_now": 7}, pre_session={"leg_pain_now": 4}
    )
    assert not result.expected_soreness
    assert [reason.rule for reason in result.reasons] == ["F-AGGRAVATION"]


def test_follow_up_bruising_on_blood_thinners_needs_clearance():
    result = follow({"unusual_bruising": True}, thinners=True)
    assert result.flag_severity == "warning"
    assert result.client_outcome == "needs_clearance"
    assert result.reasons[0].rule == "F-BRUISING"
    assert SCREENING_NOTE in result.reasons[0].client_message


def test_follow_up_bruising_without_blood_thinners_raises_no_flag():
    result = follow({"unusual_bruising": True}, thinners=False)
    assert result.flag_severity is None
    assert result.reasons == ()


def test_follow_up_red_flag_outranks_bruising():
    result = follow({"dvt_signs": True, "unusual_bruising": True}, thinners=True)
    assert result.flag_severity == "critical"
    assert result.client_outcome == "refer_urgently"
    assert [reason.rule for reason in result.reasons] == ["F-RED-FLAG", "F-BRUISING"]


def test_follow_up_with_no_answers_is_quiet():
    result = follow({})
    assert (result.reasons, result.flag_severity, result.client_outcome, result.expected_soreness) == (
        (),
        None,
        "proceed",
        False,
    )


@pytest.mark.parametrize(
    ("signs", "emergency", "region_words"),
    [
        ({"leg_weakness_new": True}, False, {"uk": "111", "us": "doctor today", "generic": "doctor today"}),
        ({"dvt_signs": True}, False, {"uk": "111", "us": "doctor today", "generic": "doctor today"}),
        ({"saddle_numbness": True}, True, {"uk": "999", "us": "911", "generic": "emergency services"}),
        (
            {"dvt_signs": True, "breathless_or_chest_pain": True},
            True,
            {"uk": "999", "us": "911", "generic": "emergency"},
        ),
    ],
)
def test_red_flag_wording_matches_the_booking_rules(signs, emergency, region_words):
    for region, words in region_words.items():
        policy = ClinicPolicy(emergency_region=region)
        result = assess_follow_up(answers=signs, pre_session_answers=None, blood_thinners_on_file=False, policy=policy)
        red = next(r for r in result.reasons if r.rule == "F-RED-FLAG")
        assert red.emergency is emergency
        assert words in red.client_message
        assert result.flag_severity == "critical"
        pre = assess_pre_session(baseline={}, answers=signs, answered_at=NOW, session_start=NOW, policy=policy)
        new = next(r for r in pre if r.rule == "PRE-NEW-RED-FLAG")
        assert new.emergency is emergency
        assert words in new.client_message
