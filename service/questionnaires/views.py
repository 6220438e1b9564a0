"""The client's questionnaire page /q/<token>: server-rendered, works without JavaScript, rate-limited."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited
from prometheus_client import Counter

from service.models import Invitation, QuestionnaireKind, QuestionnaireResponse
from service.questionnaires.invitations import ended_invitation_for_token, invitation_for_token
from service.questionnaires.selectors import confirmed_keys, minutes_to_answer, questionnaire_for_clinic
from service.questionnaires.submission import (
    InvitationClosed,
    client_bullets,
    questionnaire_submit,
    submission_result,
)
from service.questionnaires.tokens import token_hash
from service.questionnaires.wording import client_message, for_client, item_help, item_text, without_screening_note
from service.screening.answers import AnswersInvalid, prune_inapplicable
from service.screening.definitions import Item, Questionnaire
from service.screening.messages import SCREENING_NOTE, emergency_wording
from service.screenings import clinic_policy

__all__ = ["questionnaire_page", "questionnaire_rate_limited", "questionnaire_sent_page"]

# Generous for one person on a phone, tight for someone guessing links or replaying posts.
logger = logging.getLogger("sessionguard.questionnaires")
RATE_LIMIT_FAILED_OPEN = Counter(
    "sessionguard_rate_limit_failed_open_total", "Requests let through because the rate limit's cache was down"
)
RATE_PER_IP = "60/m"
RATE_PER_LINK = "30/m"

_HEADLINES = {
    QuestionnaireKind.PRE_SESSION: {
        "refer_urgently": gettext_lazy("Please get medical help before any massage"),
        "needs_clearance": gettext_lazy("Please check with a doctor before your massage"),
        "reschedule": gettext_lazy("A later date would be better for your massage"),
        "proceed_with_modifications": gettext_lazy("Your session can go ahead, with some changes"),
        "proceed": gettext_lazy("Thank you: your session can go ahead"),
    },
    QuestionnaireKind.OUTCOME_CHECK: {
        "refer_urgently": gettext_lazy("Please get medical help"),
        "needs_clearance": gettext_lazy("Please check with your doctor before your next massage"),
        "reschedule": gettext_lazy("Thank you: your therapist will review this"),
        "proceed_with_modifications": gettext_lazy("Thank you: your therapist will review this"),
        "proceed": gettext_lazy("Thank you for letting us know how you are"),
    },
    QuestionnaireKind.POST_SESSION: {
        "refer_urgently": gettext_lazy("Please get medical help"),
        "needs_clearance": gettext_lazy("Please check with your doctor before your next massage"),
        "reschedule": gettext_lazy("Thank you: your therapist will review this"),
        "proceed_with_modifications": gettext_lazy("Thank you: your therapist will review this"),
        "proceed": gettext_lazy("Thank you for letting us know how you are"),
    },
}


def questionnaire_rate_limited(request: HttpRequest, token: str) -> bool:
    """Counts this request per client address and per link; True once either is over its rate.

    The counts live in the cache. When the cache is down the client still gets their page (a client
    answering about their health matters more than a limit): the failure is counted and logged.
    """
    try:
        by_ip = is_ratelimited(request, group="questionnaire-ip", key="ip", rate=RATE_PER_IP, increment=True)
        # The link's hash, not the link, goes into the cache key.
        by_token = is_ratelimited(
            request,
            group="questionnaire-token",
            key=lambda group, req: token_hash(token),
            rate=RATE_PER_LINK,
            increment=True,
        )
    except Exception as exc:  # any cache failure: fail open
        RATE_LIMIT_FAILED_OPEN.inc()
        logger.warning("questionnaire rate limit skipped: cache unavailable (%s)", type(exc).__name__)
        return False
    return by_ip or by_token


def form_value(value: object) -> str:
    """How an answer or a condition's value is written in the form."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return "" if value is None else str(value)


@dataclass
class Field:
    item: Item
    widget: str
    value: str
    error: str = ""
    options: list[tuple[str, str]] = field(default_factory=list)
    enable_when: str = ""
    condition_text: str = ""
    text: str = ""  # the question in the client's language
    help: str = ""
    answer_text: str = ""  # a confirmed answer, as the client reads it


@dataclass
class Section:
    title: str
    fields: list[Field]


def _widget(item: Item) -> str:
    if item.type == "boolean":
        return "yesno"
    if item.type == "integer":
        return "scale" if (item.minimum, item.maximum) == (0, 10) else "number"
    return item.type


def _options(item: Item) -> list[tuple[str, str]]:
    if item.type == "boolean":
        return [("true", _("Yes")), ("false", _("No"))]
    if item.type == "choice":
        return [(choice.value, _(choice.label)) for choice in item.choices]
    if item.type == "integer" and (item.minimum, item.maximum) == (0, 10):
        return [(str(n), str(n)) for n in range(11)]
    return []


def _condition_text(questionnaire: Questionnaire, item: Item) -> str:
    parts = []
    for condition in item.enable_when:
        asked = questionnaire.item(condition.key)
        answer = dict(_options(asked)).get(form_value(condition.equals), form_value(condition.equals))
        parts.append(_("you answered “%(answer)s” to “%(question)s”") % {"answer": answer, "question": _(asked.text)})
    return _("Only if %(conditions)s.") % {"conditions": _(" and ").join(parts)}


def _field(
    questionnaire: Questionnaire, item: Item, values: dict[str, str], errors: dict[str, str], weeks: int
) -> Field:
    field_ = Field(
        item=item,
        widget=_widget(item),
        value=values.get(item.key, ""),
        error=errors.get(item.key, ""),
        options=_options(item),
        text=item_text(item, spinal_procedure_weeks=weeks),
        help=item_help(item),
    )
    if item.enable_when:
        field_.enable_when = json.dumps([{"key": c.key, "value": form_value(c.equals)} for c in item.enable_when])
        field_.condition_text = _condition_text(questionnaire, item)
    return field_


def _sections(
    questionnaire: Questionnaire,
    values: dict[str, str],
    errors: dict[str, str],
    *,
    skip: frozenset[str] = frozenset(),
    weeks: int,
) -> list[Section]:
    sections: list[Section] = []
    for item in questionnaire.items:
        if item.key in skip:
            continue
        if not sections or sections[-1].title != _(item.section):
            sections.append(Section(_(item.section), []))
        sections[-1].fields.append(_field(questionnaire, item, values, errors, weeks))
    return sections


def _confirmed(questionnaire: Questionnaire, keys: frozenset[str], values, errors, weeks: int) -> list[Field]:
    """The booking's answers to what cannot have changed, shown to confirm (and changeable)."""
    fields = [_field(questionnaire, item, values, errors, weeks) for item in questionnaire.items if item.key in keys]
    for field_ in fields:
        field_.answer_text = dict(field_.options).get(field_.value, field_.value) if field_.value else ""
    return fields


def _parse(post: Any, questionnaire: Questionnaire) -> tuple[dict[str, object], dict[str, str]]:
    """Typed answers from the form, and the raw strings to show again. Unparseable values are passed
    through as text so that validation names them."""
    answers: dict[str, object] = {}
    values: dict[str, str] = {}
    for item in questionnaire.items:
        raw = post.get(item.key, "")
        if not isinstance(raw, str) or raw.strip() == "":
            continue
        raw = raw if item.type == "text" else raw.strip()
        values[item.key] = raw
        if item.type == "boolean":
            answers[item.key] = {"true": True, "false": False}.get(raw, raw)
        elif item.type == "integer":
            try:
                answers[item.key] = int(raw)
            except ValueError:
                answers[item.key] = raw
        else:
            answers[item.key] = raw
    return answers, values


def _page_context(invitation: Invitation) -> dict[str, Any]:
    appointment = invitation.appointment
    return {
        "invitation": invitation,
        "clinic": invitation.clinic,
        "session_start": appointment.start,
        # A date format per language (Django's date filter), e.g. "Friday 14 March 2025 at 10:00 GMT".
        "date_format": _(r"l j F Y \a\t H:i T"),
        "therapist_name": appointment.therapist.name if appointment.therapist else "",
        "post_session": invitation.kind != QuestionnaireKind.PRE_SESSION,
    }


def _private(response: HttpResponse) -> HttpResponse:
    # Health answers and a bearer link: keep them out of caches, other sites' logs and search engines.
    # Not "no-referrer": browsers then send "Origin: null" with the form, which CSRF rightly refuses.
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _ended(request: HttpRequest, token: str = "") -> HttpResponse:
    invitation = ended_invitation_for_token(token) if token else None
    client = invitation.appointment.client if invitation else None
    clinic = invitation.clinic if invitation else None
    if clinic is None:
        return _private(render(request, "questionnaires/link_ended.html", {"language": "en"}, status=404))
    with for_client(client, clinic) as language:
        context = {"clinic": clinic, "language": language}
        return _private(render(request, "questionnaires/link_ended.html", context, status=404))


def _too_many(request: HttpRequest) -> HttpResponse:
    response = render(request, "questionnaires/rate_limited.html", {"language": "en"}, status=429)
    response["Retry-After"] = "60"
    return _private(response)


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def questionnaire_page(request: HttpRequest, token: str) -> HttpResponse:
    if questionnaire_rate_limited(request, token):
        return _too_many(request)
    invitation = invitation_for_token(token)
    if invitation is None:
        return _ended(request, token)
    clinic, appointment = invitation.clinic, invitation.appointment
    questionnaire = questionnaire_for_clinic(invitation.kind, clinic)
    weeks = clinic_policy(clinic).spinal_procedure_weeks
    errors: dict[str, str] = {}
    status = 200
    previous = QuestionnaireResponse.objects.filter(invitation=invitation).first()
    pre_session = invitation.kind == QuestionnaireKind.PRE_SESSION
    booking = (appointment.booking_answers or {}) if pre_session else {}
    confirm = confirmed_keys(questionnaire, booking) if booking else frozenset()
    # Asked again: start empty (or from a previous answer); confirmed: the booking's answers.
    known = {**{k: v for k, v in booking.items() if k in confirm}, **(previous.answers if previous else {})}
    values = {key: form_value(value) for key, value in known.items()}

    with for_client(appointment.client, clinic) as language:
        if request.method == "POST":
            answers, values = _parse(request.POST, questionnaire)
            try:
                questionnaire_submit(invitation=invitation, answers=prune_inapplicable(answers, kind=invitation.kind))
            except InvitationClosed:
                return _ended(request, token)
            except AnswersInvalid as exc:
                errors = {error["attr"].removeprefix("answers."): error["detail"] for error in exc.errors}
                status = 400
            else:
                return redirect("questionnaire-sent", token=token)

        sections = _sections(questionnaire, values, errors, skip=confirm, weeks=weeks)
        asked = sum(1 for section in sections for f in section.fields if not f.item.enable_when)
        context = _page_context(invitation) | {
            "language": language,
            "title": _(questionnaire.title),
            "sections": sections,
            "confirmed": _confirmed(questionnaire, confirm, values, errors, weeks),
            "errors": errors,
            "error_fields": [f for section in sections for f in section.fields if f.error],
            "answered_before": previous is not None,
            "questions": asked,
            "minutes": minutes_to_answer(asked),
        }
        return _private(render(request, "questionnaires/form.html", context, status=status))


@never_cache
@require_http_methods(["GET"])
def questionnaire_sent_page(request: HttpRequest, token: str) -> HttpResponse:
    if questionnaire_rate_limited(request, token):
        return _too_many(request)
    invitation = invitation_for_token(token)
    if invitation is None:
        return _ended(request, token)
    response = QuestionnaireResponse.objects.filter(invitation=invitation).select_related("screening").first()
    if response is None:
        return redirect("questionnaire-page", token=token)
    result = submission_result(response)
    appointment = invitation.appointment
    with for_client(appointment.client, invitation.clinic) as language:
        bullets = [without_screening_note(client_message(m)) for m in client_bullets(result)]
        reschedule = result.outcome == "reschedule" and invitation.kind == QuestionnaireKind.PRE_SESSION
        context = _page_context(invitation) | {
            "language": language,
            "headline": _HEADLINES[invitation.kind][result.outcome],
            "outcome": result.outcome,
            "messages": [b for b in bullets if b],
            "emergency": result.emergency,
            "emergency_wording": _(emergency_wording(invitation.clinic.emergency_region)),
            "screening_note": _(SCREENING_NOTE),
            "can_change": invitation.kind == QuestionnaireKind.PRE_SESSION and not reschedule,
            "reschedule": reschedule,
            "advised_start": result.screening.earliest_advised_start if result.screening else None,
            "reschedule_url": appointment.external_reschedule_url,
            "token": token,
        }
        return _private(render(request, "questionnaires/result.html", context))
