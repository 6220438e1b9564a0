"""A client's data on request: everything stored about them (export), and removing it for good (erasure)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from service import events
from service.audit import SYSTEM, Actor, audit_record, flag_events
from service.models import (
    Appointment,
    AuditEvent,
    Client,
    ClientExternalId,
    Flag,
    Invitation,
    InvitationStatus,
    Notification,
    NotificationStatus,
    QuestionnaireResponse,
    Screening,
)

_OPEN_INVITATIONS = (InvitationStatus.SCHEDULED, InvitationStatus.SENT)


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def client_export(*, client: Client, actor: Actor = SYSTEM) -> dict[str, Any]:
    """Everything stored about the client as one JSON-ready document; recorded as `client.exported`."""
    appointments = list(Appointment.objects.filter(client=client).order_by("start"))
    flags = list(Flag.objects.filter(client=client).order_by("created_at"))
    histories = flag_events(flag_ids=[flag.pk for flag in flags])
    document = {
        "exported_at": timezone.now().isoformat(),
        "profile": {
            "id": str(client.pk),
            "name": client.name,
            "email": client.email,
            "phone": str(client.phone or ""),
            "date_of_birth": _iso(client.date_of_birth),
            "contact_channels": client.contact_channels,
            "external_ids": {ref.platform: ref.external_id for ref in client.external_refs.all()},
            "active": client.active,
            "erased_at": _iso(client.erased_at),
            "created_at": _iso(client.created_at),
        },
        "appointments": [
            {
                "id": str(a.pk),
                "start": _iso(a.start),
                "end": _iso(a.end),
                "status": a.status,
                "service": {"name": a.service_name, "pressure": a.service_pressure},
                "therapist_id": str(a.therapist_id) if a.therapist_id else None,
                "booking_answers": a.booking_answers,
                "external": {"platform": a.external_platform, "id": a.external_id} if a.external_id else None,
            }
            for a in appointments
        ],
        "screenings": [
            {
                "id": str(s.pk),
                "appointment_id": str(s.appointment_id) if s.appointment_id else None,
                "created_at": _iso(s.created_at),
                "source": s.source,
                "answers": s.answers,
                "outcome": s.outcome,
                "rule_set": {"name": s.rule_set_name, "version": s.rule_set_version},
                "reasons": s.reasons,
                "modifications": s.modifications,
            }
            for s in Screening.objects.filter(client=client).order_by("created_at")
        ],
        "questionnaires": [
            {
                "appointment_id": str(i.appointment_id),
                "kind": i.kind,
                "status": i.status,
                "scheduled_for": _iso(i.scheduled_for),
                "sent_at": _iso(i.sent_at),
                "completed_at": _iso(i.completed_at),
                "answers": getattr(getattr(i, "response", None), "answers", None),
            }
            for i in Invitation.objects.filter(appointment__client=client).select_related("response")
        ],
        "flags": [
            {
                "id": str(f.pk),
                "appointment_id": str(f.appointment_id),
                "severity": f.severity,
                "source": f.source,
                "status": f.status,
                "reasons": f.reasons,
                "note": f.note,
                "created_at": _iso(f.created_at),
                "events": [{**e, "at": _iso(e["at"])} for e in histories.get(f.pk, [])],
            }
            for f in flags
        ],
    }
    audit_record(
        clinic_id=client.clinic_id, action="client.exported", actor=actor, object_type="client", object_id=client.pk
    )
    return document


@transaction.atomic
def client_erase(*, client: Client, actor: Actor = SYSTEM) -> dict[str, int]:
    """Remove the client's personal data and answers for good; keep the de-identified rows that counts need.

    Outcomes, rules, modifications, flag severities and appointment times stay (the clinic's figures);
    who the client was, what they answered and what anyone wrote about them go. What was still to be
    sent to them is cancelled. Safe to run twice.
    """
    client = Client.objects.select_for_update().get(pk=client.pk)
    appointment_ids = list(Appointment.objects.filter(client=client).values_list("pk", flat=True))
    flag_ids = list(Flag.objects.filter(client=client).values_list("pk", flat=True))
    open_invitations = Invitation.objects.filter(appointment_id__in=appointment_ids, status__in=_OPEN_INVITATIONS)
    unsent = Notification.objects.filter(
        Q(invitation__appointment_id__in=appointment_ids)
        | Q(recipient__in=[r for r in (client.email, str(client.phone or "")) if r]),
        clinic_id=client.clinic_id,
        status__in=(NotificationStatus.PENDING, NotificationStatus.SENDING),
    )
    removed = {
        "external_ids": ClientExternalId.objects.filter(client=client).delete()[0],
        "screening_answers": Screening.objects.filter(client=client).exclude(answers={}).update(answers={}),
        "booking_answers": Appointment.objects.filter(pk__in=appointment_ids)
        .exclude(booking_answers={})
        .update(booking_answers={}),
        "questionnaire_answers": QuestionnaireResponse.objects.filter(appointment_id__in=appointment_ids)
        .exclude(answers={})
        .update(answers={}),
        "flag_notes": Flag.objects.filter(pk__in=flag_ids).exclude(note="").update(note=""),
        "flag_event_notes": AuditEvent.objects.filter(object_type="flag", object_id__in=flag_ids)
        .exclude(note="")
        .update(note=""),
        "questionnaires_cancelled": open_invitations.update(status=InvitationStatus.CANCELLED, token_hash=""),
        "messages_cancelled": unsent.update(
            status=NotificationStatus.FAILED, last_error="not sent: the client's data was erased", context={}
        ),
    }
    # Other apps hold copies too (a booking platform's deliveries): each receiver clears its own, and says how many.
    for _, (name, count) in events.client_erased.send(sender=Client, client=client, appointment_ids=appointment_ids):
        removed[name] = count
    personal = any([client.name, client.email, client.phone, client.date_of_birth])
    removed["profile"] = int(personal)
    client.name, client.email, client.phone, client.date_of_birth = "", "", "", None
    client.contact_channels, client.active = [], False
    client.erased_at = client.erased_at or timezone.now()
    client.save()
    audit_record(
        clinic_id=client.clinic_id, action="client.erased", actor=actor, object_type="client", object_id=client.pk
    )
    return removed
