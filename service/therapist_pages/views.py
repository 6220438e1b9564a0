"""Pages for signed-in staff and therapists: flagged upcoming sessions, one flag, acknowledge and resolve."""

from __future__ import annotations

import csv
import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from service.audit import actor_for_user, audit_record, flag_events
from service.exceptions import Conflict
from service.flags import flag_acknowledge, flag_resolve
from service.notifications.render import session_time_text
from service.outcomes import client_timeline, outcomes_by, small
from service.therapist_pages import labels
from service.therapist_pages.charts import PainPoint, pain_chart, rates_chart
from service.therapist_pages.selectors import (
    client_for_user,
    client_sessions,
    clinic_therapists,
    coming_sessions,
    flag_answer_rows,
    flag_for_user,
    flags_to_review,
    user_clinic,
    user_membership,
)

__all__ = [
    "analytics_csv",
    "analytics_page",
    "client_page",
    "flag_acknowledge_view",
    "flag_detail",
    "flag_resolve_view",
    "workspace",
]


class OutcomesForm(forms.Form):
    group_by = forms.ChoiceField(
        choices=[("therapist", "Therapist"), ("pressure", "Pressure"), ("modification", "Modification"),
                 ("rule", "Rule")],
        initial="therapist", label="Group by",
    )  # fmt: skip
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="From")
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="To")


class FlagNoteForm(forms.Form):
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


def _no_clinic(request: HttpRequest) -> HttpResponse:
    return render(request, "therapist/no_clinic.html", status=403)


@login_required
@require_GET
def workspace(request: HttpRequest) -> HttpResponse:
    """The landing page: every flag still to review, then today's and the coming days' sessions with their brief."""
    clinic = user_clinic(request.user)
    if clinic is None:
        return _no_clinic(request)
    therapists = clinic_therapists(user=request.user)
    chosen = next((t for t in therapists if str(t.pk) == request.GET.get("therapist", "")), None)
    flags = flags_to_review(user=request.user, therapist=chosen)
    for flag in flags:
        flag.time_text = session_time_text(flag.appointment.start, clinic)
        flag.labels = _flag_labels(flag)
    days: dict[str, list] = {}
    for brief in coming_sessions(user=request.user, therapist=chosen):
        local = brief.appointment.start.astimezone(clinic.tz)
        brief.time_text = f"{local:%H:%M}"
        brief.outcome_text = labels.OUTCOME.get(brief.outcome, brief.outcome)
        for flag in brief.flags:
            flag.labels = _flag_labels(flag)
        days.setdefault(f"{local:%A %-d %B}", []).append(brief)
    context = {"clinic": clinic, "flags": flags, "days": days, "therapists": therapists, "chosen": chosen}
    return render(request, "therapist/workspace.html", context)


@login_required
@require_GET
def client_page(request: HttpRequest, client_id: str) -> HttpResponse:
    """One client's course: pain over time as a chart and a table, their sessions and the flags on them."""
    client = client_for_user(user=request.user, client_id=client_id)
    clinic = client.clinic
    sessions = client_sessions(client=client, user=request.user)
    points = [
        PainPoint(e.at, f"{e.at.astimezone(clinic.tz):%-d %b} · {_SOURCE[e.source]}", e.leg_pain, e.back_pain, e.peg)
        for e in client_timeline(client=client, appointments=sessions)
        if e.leg_pain is not None or e.back_pain is not None or e.peg is not None
    ]
    for appointment in sessions:
        appointment.time_text = session_time_text(appointment.start, clinic)
        appointment.shown_flags = list(appointment.flags.all())
        for flag in appointment.shown_flags:
            flag.labels = _flag_labels(flag)
    # The page shows the client's pain scores: reading them is recorded, as for a flag's answers.
    audit_record(
        clinic_id=clinic.pk, action="client.viewed", actor=actor_for_user(request.user), object_type="client",
        object_id=client.pk,
    )  # fmt: skip
    context = {"clinic": clinic, "client": client, "chart": pain_chart(points), "points": points, "sessions": sessions}
    with timezone.override(clinic.tz):
        return render(request, "therapist/client.html", context)


_SOURCE = {"booking": "at booking", "pre_session": "before", "post_session": "after", "outcome_check": "weeks later"}


def _flag_labels(flag) -> dict[str, str]:
    return {
        "severity": labels.SEVERITY.get(flag.severity, flag.severity),
        "source": labels.SOURCE.get(flag.source, flag.source),
        "kind": labels.KIND.get(flag.kind, flag.kind),
    }


@login_required
@require_GET
def flag_detail(request: HttpRequest, flag_id: str) -> HttpResponse:
    flag = flag_for_user(user=request.user, flag_id=flag_id)
    flag.labels = _flag_labels(flag)
    appointment = flag.appointment
    # The page shows the client's answers: reading them is recorded.
    audit_record(
        clinic_id=flag.clinic_id,
        action="flag.viewed",
        actor=actor_for_user(request.user),
        object_type="flag",
        object_id=flag.pk,
    )
    context = {
        "clinic": appointment.clinic,
        "flag": flag,
        "events": flag_events(flag_ids=[flag.pk]).get(flag.pk, []),
        "appointment": appointment,
        "session_time": session_time_text(appointment.start, appointment.clinic),
        "answers": flag_answer_rows(flag),
        "show_booking": flag.source == "pre_session",
        "form": FlagNoteForm(),
    }
    with timezone.override(appointment.clinic.tz):  # times as the clinic reads them
        return render(request, "therapist/flag_detail.html", context)


def _act(request: HttpRequest, flag_id: str, action, done: str) -> HttpResponse:
    flag = flag_for_user(user=request.user, flag_id=flag_id)
    form = FlagNoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The note is too long: please keep it under 2,000 characters.")
        return redirect("therapist-flag", flag_id=flag.id)
    try:
        action(flag=flag, note=form.cleaned_data["note"].strip(), actor=actor_for_user(request.user))
    except Conflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("therapist-flag", flag_id=flag.id)


@login_required
@require_POST
def flag_acknowledge_view(request: HttpRequest, flag_id: str) -> HttpResponse:
    return _act(request, flag_id, flag_acknowledge, "Flag acknowledged.")


@login_required
@require_POST
def flag_resolve_view(request: HttpRequest, flag_id: str) -> HttpResponse:
    return _act(request, flag_id, flag_resolve, "Flag resolved.")


def _outcomes(request: HttpRequest):
    """The clinic (staff only), the form and its rows; None when the user may not see the figures."""
    clinic = user_clinic(request.user)
    if clinic is None or user_membership(request.user) is None:
        return None
    form = OutcomesForm(request.GET or None)
    today = timezone.localdate(timezone=clinic.tz)
    group, since, until = "therapist", today - dt.timedelta(days=90), today
    if form.is_valid():
        group = form.cleaned_data["group_by"]
        since = form.cleaned_data["since"] or since
        until = form.cleaned_data["until"] or until
    if since > until:
        since, until = until, since
    rows = outcomes_by(clinic=clinic, group=group, since=since, until=until)
    return clinic, form, rows, group, since, until


def _percent(rate: float | None) -> str:
    return "(no follow-up)" if rate is None else f"({rate:.0%})"


@login_required
@require_GET
def analytics_page(request: HttpRequest) -> HttpResponse:
    """For clinic staff: which choices went with aggravation and improvement, as a table and a chart."""
    found = _outcomes(request)
    if found is None:
        return _no_clinic(request)
    clinic, form, rows, group, since, until = found
    context = {
        "clinic": clinic, "form": form, "rows": rows, "group": group, "since": since, "until": until,
        "chart": rates_chart(rows), "query": request.GET.urlencode(),
        "lines": [{"row": row, "aggravated": _percent(row.aggravation_rate), "improved": _percent(row.improved_rate)}
                  for row in rows],
    }  # fmt: skip
    return render(request, "therapist/analytics.html", context)


@login_required
@require_GET
def analytics_csv(request: HttpRequest) -> HttpResponse:
    """The same figures as CSV, made for sharing outside the clinic: counts under 5 read "<5"."""
    found = _outcomes(request)
    if found is None:
        return _no_clinic(request)
    _clinic, _form, rows, group, since, until = found
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="outcomes-{group}-{since}-{until}.csv"'
    writer = csv.writer(response)
    writer.writerow([group, "sessions", "followups_answered", "aggravated", "aggravation_rate", "improved",
                     "improved_rate"])  # fmt: skip
    for row in rows:
        rates = [f"{rate:.3f}" if rate is not None else "" for rate in (row.aggravation_rate, row.improved_rate)]
        writer.writerow([
            row.label, small(row.sessions), small(row.followups_answered), small(row.aggravated), rates[0],
            small(row.improved), rates[1],
        ])  # fmt: skip
    return response
