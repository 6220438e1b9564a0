"""Celery task of the questionnaires: the minute sweep that sends, reminds and closes invitations."""

from __future__ import annotations

from celery import shared_task

from service.questionnaires.scheduling import questionnaire_sweep_run

__all__ = ["questionnaire_sweep"]


@shared_task(name="service.questionnaires.tasks.questionnaire_sweep", ignore_result=True)
def questionnaire_sweep() -> dict[str, int]:
    """Safe to run twice at once: each batch skips the rows another sweep has locked."""
    return questionnaire_sweep_run()
