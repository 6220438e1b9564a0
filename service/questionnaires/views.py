"""The client's questionnaire page /q/<token>: server-rendered, works without JavaScript, rate-limited."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited
from prometheus_client import Counter

from service.models import Invitation, QuestionnaireKind, QuestionnaireResponse
from service.notifications.render import session_time_text
from service.questionnaires.invitations import invitation_for_token
from service.questionnaires.selectors import questionnaire_for_clinic
from service.questionnaires.submission import (
    InvitationClosed,
    questionnaire_submit,
    submission_result,
    without_screening_note,
)
from service.questionnaires.tokens import token_hash
from service.screening.answers import AnswersInvalid, prune_inapplicable
from service.screening.definitions import Item, Questionnaire
from service.screening.messages import SCREENING_NOTE, emergency_wording

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
        "refer_urgently": "Please get medical help before any massage",
        "needs_clearance": "Please check with a doctor before your massage",
        "reschedule": "A later date would be better for your massage",
        "proceed_with_modifications": "Your session can go ahead, with some changes",
        "proceed": "Thank you: your session can go ahead",
    },
    QuestionnaireKind.POST_SESSION: {
        "refer_urgently": "Please get medical help",
        "needs_clearance": "Please check with your doctor before your next massage",
        "reschedule": "Thank you: your therapist will review this",
        "proceed_with_modifications": "Thank you: your therapist will review this",
        "proceed": "Thank you for letting us know how you are",
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
        return [("true", "Yes"), ("false", "No")]
    if item.type == "choice":
        return [(choice.value, choice.label) for choice in item.choices]
    if item.type == "integer" and (item.minimum, item.maximum) == (0, 10):
        return [(str(n), str(n)) for n in range(11)]
    return []


def _condition_text(questionnaire: Questionnaire, item: Item) -> str:
    parts = []
    for condition in item.enable_when:
        asked = questionnaire.item(condition.key)
        answer = dict(_options(asked)).get(form_value(condition.equals), form_value(condition.equals))
        parts.append(f"you answered “{answer}” to “{asked.text}”")
    return "Only if " + " and ".join(parts) + "."


def _sections(questionnaire: Questionnaire, values: dict[str, str], errors: dict[str, str]) -> list[Section]:
    sections: list[Section] = []
    for item in questionnaire.items:
        field_ = Field(
            item=item,
            widget=_widget(item),
            value=values.get(item.key, ""),
            error=errors.get(item.key, ""),
            options=_options(item),
        )
        if item.enable_when:
            field_.enable_when = json.dumps([{"key": c.key, "value": form_value(c.equals)} for c in item.enable_when])
            field_.condition_text = _condition_text(questionnaire, item)
        if not sections or sections[-1].title != item.section:
            sections.append(Section(item.section, []))
        sections[-1].fields.append(field_)
    return sections


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
        "session_time": session_time_text(appointment.start, invitation.clinic),
        "therapist_name": appointment.therapist.name if appointment.therapist else "",
        "post_session": invitation.kind == QuestionnaireKind.POST_SESSION,
    }


def _private(response: HttpResponse) -> HttpResponse:
    # Health answers and a bearer link: keep them out of caches, other sites' logs and search engines.
    # Not "no-referrer": browsers then send "Origin: null" with the form, which CSRF rightly refuses.
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _ended(request: HttpRequest) -> HttpResponse:
    return _private(render(request, "questionnaires/link_ended.html", status=404))


def _too_many(request: HttpRequest) -> HttpResponse:
    response = render(request, "questionnaires/rate_limited.html", status=429)
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
        return _ended(request)
    questionnaire = questionnaire_for_clinic(invitation.kind, invitation.clinic)
    errors: dict[str, str] = {}
    status = 200
    previous = QuestionnaireResponse.objects.filter(invitation=invitation).first()
    values = {key: form_value(value) for key, value in (previous.answers if previous else {}).items()}

    if request.method == "POST":
        answers, values = _parse(request.POST, questionnaire)
        try:
            questionnaire_submit(invitation=invitation, answers=prune_inapplicable(answers, kind=invitation.kind))
        except InvitationClosed:
            return _ended(request)
        except AnswersInvalid as exc:
            errors = {error["attr"].removeprefix("answers."): error["detail"] for error in exc.errors}
            status = 400
        else:
            return redirect("questionnaire-sent", token=token)

    context = _page_context(invitation) | {
        "questionnaire": questionnaire,
        "sections": _sections(questionnaire, values, errors),
        "errors": errors,
        "answered_before": previous is not None,
    }
    return _private(render(request, "questionnaires/form.html", context, status=status))


@never_cache
@require_http_methods(["GET"])
def questionnaire_sent_page(request: HttpRequest, token: str) -> HttpResponse:
    if questionnaire_rate_limited(request, token):
        return _too_many(request)
    invitation = invitation_for_token(token)
    if invitation is None:
        return _ended(request)
    response = QuestionnaireResponse.objects.filter(invitation=invitation).select_related("screening").first()
    if response is None:
        return redirect("questionnaire-page", token=token)
    result = submission_result(response)
    context = _page_context(invitation) | {
        "headline": _HEADLINES[invitation.kind][result.outcome],
        "outcome": result.outcome,
        "messages": [m for m in (without_screening_note(m) for m in result.messages) if m],
        "emergency": result.emergency,
        "emergency_wording": emergency_wording(invitation.clinic.emergency_region),
        "screening_note": SCREENING_NOTE,
        "can_change": invitation.kind == QuestionnaireKind.PRE_SESSION,
        "token": token,
    }
    return _private(render(request, "questionnaires/result.html", context))
