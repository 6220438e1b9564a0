"""The questionnaires as data: every answer key of the rule pack, sound conditions and ranges."""

from __future__ import annotations

import pytest

from service.screening.definitions import (
    ANSWER_KEYS,
    ITEM_TYPES,
    QUESTIONNAIRES,
    Condition,
    Item,
    get_questionnaire,
)

CLINICAL_BOOKING_KEYS = {
    "has_sciatica",
    "pain_below_knee",
    "numbness_or_tingling",
    "leg_pain_now",
    "back_pain_now",
    "worst_pain_24h",
    "flare_last_72h",
    "episode_weeks",
    "clinician_assessed",
    "heavy_lifting_24h",
    "prolonged_sitting_24h",
    "trauma_recent",
    "saddle_numbness",
    "bladder_change",
    "bowel_change",
    "sexual_change",
    "both_legs",
    "leg_weakness_new",
    "dvt_signs",
    "breathless_or_chest_pain",
    "fever_or_unwell",
    "cancer_history",
    "weight_loss_unexplained",
    "night_pain_unrelieved",
    "osteoporosis_or_steroids",
    "blood_thinners",
    "easy_bruising",
    "spinal_procedure_recent",
    "pregnant",
    "pregnancy_weeks",
    "pregnancy_complications",
    "concerns",
}
POST_SESSION_KEYS = {
    "peg_pain",
    "peg_enjoyment",
    "peg_activity",
    "overall_change",
    "soreness",
    "numbness_new_or_spreading",
    "unusual_bruising",
    "usual_activities_ok",
    "leg_pain_now",
    "back_pain_now",
    "saddle_numbness",
    "bladder_change",
    "bowel_change",
    "sexual_change",
    "both_legs",
    "leg_weakness_new",
    "dvt_signs",
    "breathless_or_chest_pain",
    "concerns",
}
# Questions may ask about history the client knows (cancer), never name what we screen for.
DIAGNOSIS_WORDS = ("cauda equina", "dvt", "thrombosis", "fracture", "sciatica")


def test_booking_asks_every_answer_key_of_the_rule_pack():
    assert set(get_questionnaire("booking").keys) == CLINICAL_BOOKING_KEYS


def test_pre_session_asks_the_booking_items():
    assert get_questionnaire("pre_session").items == get_questionnaire("booking").items


def test_post_session_asks_the_follow_up_items():
    assert set(get_questionnaire("post_session").keys) == POST_SESSION_KEYS


def test_the_outcome_check_asks_pain_peg_change_and_warning_signs_again():
    keys = set(get_questionnaire("outcome_check").keys)
    assert {"leg_pain_now", "back_pain_now", "peg_pain", "peg_enjoyment", "peg_activity", "overall_change"} <= keys
    assert {"saddle_numbness", "bladder_change", "dvt_signs", "concerns"} <= keys
    assert keys <= POST_SESSION_KEYS  # nothing it asks means something else elsewhere


def test_answer_keys_cover_every_kind_once():
    assert len(ANSWER_KEYS) == len(set(ANSWER_KEYS))
    assert set(ANSWER_KEYS) == CLINICAL_BOOKING_KEYS | POST_SESSION_KEYS


@pytest.mark.parametrize("kind", sorted(QUESTIONNAIRES))
def test_keys_are_unique_and_kinds_match(kind):
    questionnaire = QUESTIONNAIRES[kind]
    assert questionnaire.kind == kind
    assert questionnaire.version
    assert len(questionnaire.keys) == len(set(questionnaire.keys))


@pytest.mark.parametrize("kind", sorted(QUESTIONNAIRES))
def test_conditions_refer_to_earlier_boolean_items(kind):
    questionnaire = QUESTIONNAIRES[kind]
    seen: dict[str, Item] = {}
    for item in questionnaire.items:
        for condition in item.enable_when:
            controller = seen[condition.key]
            assert controller.type == "boolean"
            assert type(condition.equals) is bool
        seen[item.key] = item


def test_only_the_sciatica_and_pregnancy_details_are_conditional():
    conditional = {item.key: item.enable_when for item in get_questionnaire("booking").items if item.enable_when}
    assert conditional == {
        "pain_below_knee": (Condition("has_sciatica", True),),
        "numbness_or_tingling": (Condition("has_sciatica", True),),
        "pregnancy_weeks": (Condition("pregnant", True),),
        "pregnancy_complications": (Condition("pregnant", True),),
    }


def test_ranges_follow_the_rule_pack():
    booking = get_questionnaire("booking")
    for key in ("leg_pain_now", "back_pain_now", "worst_pain_24h"):
        assert (booking.item(key).minimum, booking.item(key).maximum) == (0, 10)
    assert (booking.item("episode_weeks").minimum, booking.item("episode_weeks").maximum) == (0, 520)
    assert (booking.item("pregnancy_weeks").minimum, booking.item("pregnancy_weeks").maximum) == (1, 42)
    assert booking.item("concerns").maximum == 2000


def test_choices_are_in_order():
    post = get_questionnaire("post_session")
    assert post.item("overall_change").choice_values == (
        "much_better",
        "better",
        "slightly_better",
        "same",
        "slightly_worse",
        "worse",
        "much_worse",
    )
    assert post.item("soreness").choice_values == ("none", "massaged_area", "down_the_leg")
    assert get_questionnaire("booking").item("trauma_recent").choice_values == ("none", "minor", "major")


@pytest.mark.parametrize("kind", sorted(QUESTIONNAIRES))
def test_questions_are_short_plain_questions(kind):
    for item in QUESTIONNAIRES[kind].items:
        assert item.type in ITEM_TYPES
        assert item.text.endswith("?"), item.key
        assert len(item.text) <= 120, item.key
        assert not any(word in item.text.lower() for word in DIAGNOSIS_WORDS), item.key
        assert item.section, item.key


def test_an_unknown_kind_is_a_key_error():
    with pytest.raises(KeyError, match="intake"):
        get_questionnaire("intake")


def test_items_refuse_an_unknown_type():
    with pytest.raises(ValueError, match="unknown item type"):
        Item("x", "X?", "date")


def test_conditions_do_not_treat_1_as_true():
    condition = Condition("pregnant", True)
    assert condition.holds({"pregnant": True})
    assert not condition.holds({"pregnant": 1})
    assert not condition.holds({})
