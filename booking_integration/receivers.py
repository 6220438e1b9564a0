"""Turns domain events into outbound webhook messages, in the transaction of the change (an outbox)."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.dispatch import receiver

from booking_integration.outbound import flag_data, invitation_data, message_create, messages_create, screening_data
from service import events
from service.models import FlagSeverity

# Flags worth interrupting a booking system for; `info` ones (e.g. no contact channel) are not.
FLAGGED_SEVERITIES = frozenset({FlagSeverity.WARNING, FlagSeverity.CRITICAL})


@receiver(events.screening_completed, dispatch_uid="webhooks.screening_completed")
def on_screening_completed(sender: Any, screening: Any, **kwargs: Any) -> None:
    message_create(clinic=screening.clinic, event_type="screening.completed", data=lambda: screening_data(screening))


@receiver(events.flag_raised, dispatch_uid="webhooks.flag_raised")
def on_flag_raised(sender: Any, flag: Any, **kwargs: Any) -> None:
    if flag.severity in FLAGGED_SEVERITIES:
        message_create(clinic=flag.clinic_id, event_type="appointment.flagged", data=lambda: flag_data(flag))


@receiver(events.flag_acknowledged, dispatch_uid="webhooks.flag_acknowledged")
def on_flag_acknowledged(sender: Any, flag: Any, **kwargs: Any) -> None:
    message_create(clinic=flag.clinic_id, event_type="flag.acknowledged", data=lambda: flag_data(flag))


@receiver(events.flag_escalated, dispatch_uid="webhooks.flag_escalated")
def on_flag_escalated(sender: Any, flag: Any, **kwargs: Any) -> None:
    message_create(clinic=flag.clinic_id, event_type="flag.escalated", data=lambda: flag_data(flag))


@receiver(events.flag_resolved, dispatch_uid="webhooks.flag_resolved")
def on_flag_resolved(sender: Any, flag: Any, **kwargs: Any) -> None:
    message_create(clinic=flag.clinic_id, event_type="flag.resolved", data=lambda: flag_data(flag))


@receiver(events.questionnaire_sent, dispatch_uid="webhooks.questionnaire_sent")
def on_questionnaire_sent(sender: Any, invitations: Any, **kwargs: Any) -> None:
    # A sweep's whole batch at once: one endpoint lookup and two inserts, whatever its size.
    messages_create(
        event_type="questionnaire.sent",
        items=[(invitation.clinic_id, partial(invitation_data, invitation)) for invitation in invitations],
    )


@receiver(events.questionnaire_completed, dispatch_uid="webhooks.questionnaire_completed")
def on_questionnaire_completed(
    sender: Any, invitation: Any, response: Any = None, screening: Any = None, **kwargs: Any
) -> None:
    message_create(
        clinic=invitation.clinic_id,
        event_type="questionnaire.completed",
        data=lambda: invitation_data(invitation, response=response, screening=screening),
    )


@receiver(events.client_erased, dispatch_uid="inbound.client_erased")
def on_client_erased(sender: Any, client: Any, appointment_ids: list, **kwargs: Any) -> tuple[str, int]:
    """The bodies of the platform deliveries that made the client's appointments held their details too."""
    from booking_integration.models import InboundDelivery

    cleared = InboundDelivery.objects.filter(result__appointment_id__in=[str(pk) for pk in appointment_ids]).update(
        body=b"", headers={}
    )
    return "platform_deliveries", cleared


@receiver(events.retention_due, dispatch_uid="integrations.retention_due")
def on_retention_due(sender: Any, clinic: Any, cutoff: Any, **kwargs: Any) -> tuple[str, int]:
    """Inbound deliveries and outbound payloads older than the clinic's retention go (their attempts with them)."""
    from booking_integration.models import InboundDelivery, WebhookMessage

    deliveries, _ = InboundDelivery.objects.filter(integration__clinic=clinic, received_at__lt=cutoff).delete()
    messages, _ = WebhookMessage.objects.filter(clinic=clinic, created_at__lt=cutoff).delete()
    return "platform_deliveries_and_webhook_messages", deliveries + messages
