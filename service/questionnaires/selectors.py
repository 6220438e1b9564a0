"""Reads for the questionnaires: the questions as a given clinic asks them."""

from __future__ import annotations

from collections.abc import Mapping

from service.models import Clinic, Invitation
from service.screening.definitions import CONFIRM_NOT_ASK_KEYS, Item, Questionnaire, get_questionnaire
from service.screenings import clinic_policy


def questionnaire_for_clinic(kind: str, clinic: Clinic) -> Questionnaire:
    """The questionnaire of ``kind`` with the clinic's own settings in its wording (spinal_procedure_weeks)."""
    return get_questionnaire(kind, spinal_procedure_weeks=clinic_policy(clinic).spinal_procedure_weeks)


# About how long one question takes on a phone, read and answered (a 0-10 scale, yes/no): used for
# the honest estimate on the page and in the email.
SECONDS_PER_QUESTION = 8


def confirmed_keys(questionnaire: Questionnaire, booking_answers: Mapping[str, object]) -> frozenset[str]:
    """The pre-session questions answered at booking that are shown to confirm, not asked again.

    A follow-up question goes with its parent: asked when the parent is asked, shown when it is shown.
    """
    confirmed: set[str] = set()
    for item in questionnaire.items:
        if item.key not in CONFIRM_NOT_ASK_KEYS:
            continue
        parents = [condition.key for condition in item.enable_when]
        if parents:
            if all(parent in confirmed for parent in parents):
                confirmed.add(item.key)
        elif item.key in booking_answers:
            confirmed.add(item.key)
    return frozenset(confirmed)


def asked_items(questionnaire: Questionnaire, booking_answers: Mapping[str, object]) -> list[Item]:
    """The questions the page asks (for a pre-session form, only what can have changed)."""
    skip = confirmed_keys(questionnaire, booking_answers) if questionnaire.kind == "pre_session" else frozenset()
    return [item for item in questionnaire.items if item.key not in skip]


def minutes_to_answer(questions: int) -> int:
    return max(1, -(-questions * SECONDS_PER_QUESTION // 60))


def invitation_minutes(invitation: Invitation) -> int:
    """The estimate for an invitation's form, the same in its email and on its page."""
    questionnaire = questionnaire_for_clinic(invitation.kind, invitation.clinic)
    booking = invitation.appointment.booking_answers or {}
    unconditional = [item for item in asked_items(questionnaire, booking) if not item.enable_when]
    return minutes_to_answer(len(unconditional))
