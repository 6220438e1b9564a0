"""Booking-form answers to screening answer keys through the clinic's map."""

from __future__ import annotations

import pytest

from booking_integration.answer_map import map_answers


def test_maps_labels_and_field_names_and_ignores_unmapped_fields():
    form = {"leg-pain": "Yes", "Pain today, 0 to 10": "6", "Favourite colour": "blue"}
    answer_map = {"leg-pain": "leg_pain_now", "Pain today, 0 to 10": "pain_score"}

    assert map_answers(form, answer_map) == {"leg_pain_now": True, "pain_score": 6}


@pytest.mark.parametrize(
    ("raw", "converted"),
    [
        ("yes", True),
        (" YES ", True),
        ("True", True),
        ("no", False),
        ("FALSE ", False),
        ("7", 7),
        (" -2 ", -2),
        ("6.5", "6.5"),
        ("sometimes", "sometimes"),
        (True, True),
        (3, 3),
        (["left", "right"], ["left", "right"]),
    ],
)
def test_values_are_converted(raw, converted):
    assert map_answers({"q": raw}, {"q": "key"}) == {"key": converted}


def test_label_match_tolerates_case_and_spacing():
    form = {"Do you have pain running  down your leg?": "no"}

    assert map_answers(form, {"do you have pain running down your leg?": "leg_pain_now"}) == {"leg_pain_now": False}


@pytest.mark.parametrize("blank", [None, "", "   "])
def test_blank_answers_are_left_out(blank):
    assert map_answers({"q": blank}, {"q": "key"}) == {}


def test_empty_map_gives_nothing():
    assert map_answers({"q": "yes"}, {}) == {}
