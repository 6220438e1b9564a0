"""Reads for the questionnaires: the questions as a given clinic asks them."""

from __future__ import annotations

from service.models import Clinic
from service.screening.definitions import Questionnaire, get_questionnaire
from service.screenings import clinic_policy


def questionnaire_for_clinic(kind: str, clinic: Clinic) -> Questionnaire:
    """The questionnaire of ``kind`` with the clinic's own settings in its wording (spinal_procedure_weeks)."""
    return get_questionnaire(kind, spinal_procedure_weeks=clinic_policy(clinic).spinal_procedure_weeks)
