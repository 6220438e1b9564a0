"""The vignette table: every case gives its outcome, fires what it must, and nothing it must not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from service.screening.engine import RULE_IDS, AggravationFlag, History, ScreeningContext, screen
from service.screening.policy import ClinicPolicy
from tests.screening.vignettes import VIGNETTES, Vignette

ANSWERED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def history_of(v: Vignette) -> History | None:
    days = lambda n: ANSWERED - timedelta(days=n)  # noqa: E731 - a local shorthand
    last = None
    if v.last_completed_days_ago is not None:
        flag = (
            AggravationFlag(days(v.last_completed_flag_days_ago), v.last_completed_flag_open)
            if v.last_completed_flag_days_ago is not None
            else None
        )
        last = (days(v.last_completed_days_ago), flag)
    earlier = days(v.earlier_open_flag_days_ago) if v.earlier_open_flag_days_ago is not None else None
    if last is None and earlier is None:
        return None
    return History(
        last_completed_start=last[0] if last else None,
        last_completed_aggravation=last[1] if last else None,
        earlier_open_aggravation_at=earlier,
        bruising_flagged_at=None,
    )


def context_of(v: Vignette) -> ScreeningContext:
    return ScreeningContext(
        answers=v.answers,
        answered_at=ANSWERED,
        session_start=ANSWERED + timedelta(hours=v.hours_until_session),
        service_pressure=v.pressure,
        client_age=v.age,
        therapist_qualifications=frozenset({"sciatica"} if v.qualified else {"sports"}),
        history=history_of(v),
        policy=ClinicPolicy.from_dict(v.policy),
    )


def test_there_are_at_least_forty_vignettes_with_sources_and_unique_ids():
    assert len(VIGNETTES) >= 40
    assert len({v.id for v in VIGNETTES}) == len(VIGNETTES)
    assert all(v.source and v.case for v in VIGNETTES)


def test_every_rule_id_is_covered_by_a_vignette():
    fired = {rule for v in VIGNETTES for rule in v.fires}
    assert set(RULE_IDS) - fired <= {"HIST-BRUISING"}  # a follow-up rule, covered in test_followup.py


@pytest.mark.parametrize("vignette", VIGNETTES, ids=lambda v: v.id)
def test_vignette(vignette: Vignette):
    decision = screen(context_of(vignette))
    fired = {reason.rule for reason in decision.reasons}

    assert decision.outcome == vignette.outcome, (vignette.case, sorted(fired))
    assert set(vignette.fires) <= fired, vignette.case
    assert not set(vignette.not_fires) & fired, vignette.case
    assert set(vignette.modifications) <= set(decision.modifications), vignette.case
    assert decision.emergency is vignette.emergency, vignette.case
    if decision.outcome == "reschedule":
        assert decision.earliest_advised_start is not None, "every reschedule advises a date"
