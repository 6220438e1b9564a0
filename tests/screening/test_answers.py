"""Answer validation: strict JSON types, ranges, choices, conditions, and every bad field named."""

from __future__ import annotations

import pytest

from service.screening.answers import AnswersInvalid, prune_inapplicable, validate_answers


def errors_of(raw: object, kind: str = "booking") -> dict[str, str]:
    with pytest.raises(AnswersInvalid) as caught:
        validate_answers(raw, kind=kind)
    return {error["attr"]: error["code"] for error in caught.value.errors}


def test_valid_answers_come_back_cleaned():
    raw = {
        "has_sciatica": True,
        "pain_below_knee": False,
        "leg_pain_now": 0,
        "worst_pain_24h": 10,
        "episode_weeks": 520,
        "trauma_recent": "minor",
        "pregnant": True,
        "pregnancy_weeks": 42,
        "concerns": "  Left side is worse.  ",
    }
    cleaned = validate_answers(raw, kind="booking")
    assert cleaned == {**raw, "concerns": "Left side is worse."}


def test_no_answers_are_valid():
    assert validate_answers({}, kind="booking") == {}
    assert validate_answers({}, kind="post_session") == {}


def test_null_and_blank_text_mean_not_reported():
    assert validate_answers({"leg_pain_now": None, "concerns": "   "}, kind="booking") == {}


@pytest.mark.parametrize("value", ["true", 1, 0, "yes", [], {}])
def test_booleans_accept_only_real_booleans(value):
    assert errors_of({"flare_last_72h": value}) == {"answers.flare_last_72h": "invalid_type"}


@pytest.mark.parametrize("value", [True, False, "5", 5.0, 5.5, "five"])
def test_integers_accept_only_real_integers(value):
    assert errors_of({"leg_pain_now": value}) == {"answers.leg_pain_now": "invalid_type"}


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("leg_pain_now", -1),
        ("back_pain_now", 11),
        ("worst_pain_24h", 11),
        ("episode_weeks", -1),
        ("episode_weeks", 521),
    ],
)
def test_integers_outside_their_range_are_refused(key, value):
    assert errors_of({key: value}) == {f"answers.{key}": "out_of_range"}


@pytest.mark.parametrize("weeks", [0, 43])
def test_pregnancy_weeks_are_1_to_42(weeks):
    assert errors_of({"pregnant": True, "pregnancy_weeks": weeks}) == {"answers.pregnancy_weeks": "out_of_range"}


def test_choices_are_matched_by_value():
    assert errors_of({"trauma_recent": "Major"}) == {"answers.trauma_recent": "invalid_choice"}
    assert errors_of({"trauma_recent": 2}) == {"answers.trauma_recent": "invalid_type"}
    assert validate_answers({"trauma_recent": "major"}, kind="booking") == {"trauma_recent": "major"}


def test_concerns_are_capped_at_2000_characters_after_stripping():
    assert validate_answers({"concerns": " " + "a" * 2000 + " "}, kind="booking") == {"concerns": "a" * 2000}
    assert errors_of({"concerns": "a" * 2001}) == {"answers.concerns": "too_long"}
    assert errors_of({"concerns": 42}) == {"answers.concerns": "invalid_type"}


def test_nul_characters_are_dropped_from_text():
    assert validate_answers({"concerns": "left\x00 leg"}, kind="booking") == {"concerns": "left leg"}


def test_unknown_keys_are_refused():
    assert errors_of({"favourite_colour": "blue"}) == {"answers.favourite_colour": "unknown_key"}


def test_keys_of_another_questionnaire_are_unknown():
    assert errors_of({"overall_change": "same"}, kind="booking") == {"answers.overall_change": "unknown_key"}
    assert errors_of({"fever_or_unwell": True}, kind="post_session") == {"answers.fever_or_unwell": "unknown_key"}


def test_an_answer_to_a_hidden_item_is_refused():
    assert errors_of({"pain_below_knee": True}) == {"answers.pain_below_knee": "condition_not_met"}
    assert errors_of({"has_sciatica": False, "numbness_or_tingling": False}) == {
        "answers.numbness_or_tingling": "condition_not_met"
    }
    assert errors_of({"pregnant": False, "pregnancy_weeks": 20, "pregnancy_complications": True}) == {
        "answers.pregnancy_weeks": "condition_not_met",
        "answers.pregnancy_complications": "condition_not_met",
    }


def test_every_bad_field_is_named_in_the_order_sent():
    raw = {
        "leg_pain_now": 12,
        "has_sciatica": "yes",
        "pain_below_knee": True,
        "trauma_recent": "huge",
        "mood": "fine",
        "concerns": "x" * 3000,
        "episode_weeks": "3",
        "back_pain_now": 3,
    }
    with pytest.raises(AnswersInvalid) as caught:
        validate_answers(raw, kind="booking")
    errors = caught.value.errors
    assert [(error["attr"], error["code"]) for error in errors] == [
        ("answers.leg_pain_now", "out_of_range"),
        ("answers.has_sciatica", "invalid_type"),
        ("answers.pain_below_knee", "condition_not_met"),
        ("answers.trauma_recent", "invalid_choice"),
        ("answers.mood", "unknown_key"),
        ("answers.concerns", "too_long"),
        ("answers.episode_weeks", "invalid_type"),
    ]
    assert all(set(error) == {"attr", "code", "detail"} and error["detail"] for error in errors)


def test_error_details_do_not_echo_the_answer():
    with pytest.raises(AnswersInvalid) as caught:
        validate_answers({"concerns": "secret " * 400}, kind="booking")
    assert "secret" not in caught.value.errors[0]["detail"]


def test_answers_that_are_not_an_object_are_refused():
    assert errors_of(["has_sciatica"]) == {"answers": "invalid_type"}


def test_an_unknown_kind_is_a_key_error():
    with pytest.raises(KeyError):
        validate_answers({}, kind="intake")


def test_post_session_answers_validate():
    raw = {"overall_change": "much_worse", "soreness": "down_the_leg", "leg_pain_now": 6, "dvt_signs": False}
    assert validate_answers(raw, kind="post_session") == raw
    assert errors_of({"overall_change": "terrible"}, kind="post_session") == {
        "answers.overall_change": "invalid_choice"
    }


def test_prune_drops_answers_to_hidden_items():
    posted = {
        "has_sciatica": False,
        "pain_below_knee": True,
        "numbness_or_tingling": False,
        "pregnant": True,
        "pregnancy_weeks": 20,
    }
    pruned = prune_inapplicable(posted, kind="booking")
    assert pruned == {"has_sciatica": False, "pregnant": True, "pregnancy_weeks": 20}
    assert validate_answers(pruned, kind="booking") == pruned


def test_prune_treats_a_missing_controlling_answer_as_not_shown():
    assert prune_inapplicable({"pregnancy_complications": True}, kind="booking") == {}


def test_prune_keeps_unknown_keys_for_validation_to_report():
    assert prune_inapplicable({"mood": "fine"}, kind="booking") == {"mood": "fine"}


def test_prune_does_not_treat_1_as_true():
    assert prune_inapplicable({"has_sciatica": 1, "pain_below_knee": True}, kind="booking") == {"has_sciatica": 1}
