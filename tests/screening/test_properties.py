"""Properties of screening over any valid answers, with strategies built from the definitions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from service.screening.answers import AnswersInvalid, prune_inapplicable, validate_answers
from service.screening.definitions import Item, get_questionnaire
from service.screening.engine import (
    OUTCOMES,
    RED_FLAG_KEYS,
    AggravationFlag,
    History,
    ScreeningContext,
    screen,
    severity_rank,
)
from service.screening.followup import assess_follow_up, assess_pre_session
from service.screening.policy import ClinicPolicy

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def item_values(item: Item) -> st.SearchStrategy:
    if item.type == "boolean":
        return st.booleans()
    if item.type == "integer":
        return st.integers(item.minimum, item.maximum)
    if item.type == "choice":
        return st.sampled_from(item.choice_values)
    return st.text(max_size=item.maximum)


def valid_answers(kind: str) -> st.SearchStrategy[dict]:
    items = get_questionnaire(kind).items
    raw = st.fixed_dictionaries({}, optional={item.key: item_values(item) for item in items})
    # Answers to hidden items are invalid by definition; the form prunes them too.
    return raw.map(lambda answers: validate_answers(prune_inapplicable(answers, kind=kind), kind=kind))


def times() -> st.SearchStrategy[datetime | None]:
    return st.none() | st.integers(-60 * 24 * 60, 60 * 24 * 60).map(lambda minutes: NOW + timedelta(minutes=minutes))


policies = st.builds(
    ClinicPolicy,
    emergency_region=st.sampled_from(("uk", "us", "generic")),
    flare_pain_threshold=st.integers(1, 10),
    flare_reschedule_hours=st.integers(1, 720),
    flare_action=st.sampled_from(("reschedule", "gentle_only")),
    activity_window_hours=st.integers(1, 168),
    history_days=st.integers(1, 365),
    history_open_flag_days=st.integers(1, 365),
    infection_reschedule_hours=st.integers(1, 720),
)
histories = st.none() | st.builds(
    History,
    last_completed_start=times(),
    last_completed_aggravation=st.none()
    | st.builds(AggravationFlag, raised_at=times().filter(lambda t: t is not None), open=st.booleans()),
    earlier_open_aggravation_at=times(),
    bruising_flagged_at=times(),
)
contexts = st.builds(
    ScreeningContext,
    answers=valid_answers("booking"),
    answered_at=st.just(NOW),
    session_start=st.integers(-120, 60 * 24 * 14).map(lambda minutes: NOW + timedelta(minutes=minutes)),
    service_pressure=st.sampled_from(("light", "medium", "firm", "deep")),
    client_age=st.none() | st.integers(16, 100),
    therapist_qualifications=st.none() | st.frozensets(st.sampled_from(("sciatica", "prenatal", "sports"))),
    history=histories,
    policy=policies,
)


@given(contexts)
def test_outcome_is_the_most_severe_fired_rule(ctx):
    decision = screen(ctx)
    ranks = [severity_rank(reason.outcome) for reason in decision.reasons]
    assert decision.outcome == OUTCOMES[min(ranks, default=severity_rank("proceed"))]


@given(contexts)
def test_decisions_are_consistent(ctx):
    decision = screen(ctx)
    assert len(decision.modifications) == len(set(decision.modifications))
    assert set(decision.modifications) == {word for reason in decision.reasons for word in reason.modifications}
    assert len({reason.rule for reason in decision.reasons}) == len(decision.reasons)
    assert decision.emergency == any(reason.emergency for reason in decision.reasons)
    if decision.outcome != "reschedule":
        assert decision.earliest_advised_start is None
    if decision.earliest_advised_start is not None:
        assert decision.earliest_advised_start > ctx.session_start
    if decision.emergency:
        assert decision.outcome == "refer_urgently"


@given(contexts, st.sampled_from(RED_FLAG_KEYS), st.booleans())
def test_removing_a_red_flag_never_makes_the_outcome_more_severe(ctx, key, delete):
    with_flag = {**ctx.answers, key: True}
    without_flag = dict(with_flag)
    if delete:
        del without_flag[key]
    else:
        without_flag[key] = False
    before = screen(ScreeningContext(**{**_fields(ctx), "answers": with_flag}))
    after = screen(ScreeningContext(**{**_fields(ctx), "answers": without_flag}))
    assert severity_rank(after.outcome) >= severity_rank(before.outcome)
    assert before.outcome == "refer_urgently"


@given(contexts)
def test_weight_loss_with_night_pain_always_needs_a_clinician(ctx):
    answers = {**ctx.answers, "weight_loss_unexplained": True, "night_pain_unrelieved": True}
    decision = screen(ScreeningContext(**{**_fields(ctx), "answers": answers}))
    assert severity_rank(decision.outcome) <= severity_rank("needs_clearance")


@given(contexts)
def test_a_fever_holds_the_session_until_the_wait_is_over_and_is_checked_after(ctx):
    decision = screen(ScreeningContext(**{**_fields(ctx), "answers": {**ctx.answers, "fever_or_unwell": True}}))
    well_by = ctx.answered_at + timedelta(hours=ctx.policy.infection_reschedule_hours)
    if ctx.session_start < well_by:
        assert severity_rank(decision.outcome) <= severity_rank("reschedule")
    else:
        assert severity_rank(decision.outcome) <= severity_rank("proceed_with_modifications")
        assert "check_symptoms_first" in decision.modifications or decision.outcome in ("refer_urgently",
                                                                                        "needs_clearance")  # fmt: skip
    if decision.outcome == "reschedule":
        assert decision.earliest_advised_start is not None


def _fields(ctx: ScreeningContext) -> dict:
    return {name: getattr(ctx, name) for name in ScreeningContext.__dataclass_fields__}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=5,
)
answer_keys = st.sampled_from(get_questionnaire("booking").keys) | st.text(max_size=20)


@given(st.dictionaries(answer_keys, json_values, max_size=12))
def test_validation_only_ever_raises_answers_invalid(raw):
    errors = []
    try:
        validate_answers(raw, kind="booking")
    except AnswersInvalid as invalid:
        errors = invalid.errors
        assert errors
    assert all(error["attr"].startswith("answers.") for error in errors)


@given(valid_answers("booking"))
def test_valid_answers_validate_to_themselves(answers):
    assert validate_answers(answers, kind="booking") == answers


@given(valid_answers("booking"), valid_answers("booking"), policies)
def test_pre_session_assessment_never_raises(baseline, answers, policy):
    reasons = assess_pre_session(
        baseline=baseline, answers=answers, answered_at=NOW, session_start=NOW + timedelta(hours=30), policy=policy
    )
    assert all(reason.rule.startswith("PRE-") for reason in reasons)


@given(valid_answers("post_session"), st.none() | valid_answers("pre_session"), st.booleans(), policies)
def test_follow_up_flags_critical_exactly_for_red_flags(answers, pre_session, thinners, policy):
    result = assess_follow_up(
        answers=answers, pre_session_answers=pre_session, blood_thinners_on_file=thinners, policy=policy
    )
    red_flag = any(answers.get(key) is True for key in RED_FLAG_KEYS)
    assert (result.flag_severity == "critical") == red_flag
    if result.expected_soreness:
        assert result.flag_severity in (None, "warning")
        assert not red_flag
