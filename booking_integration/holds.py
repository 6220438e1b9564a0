"""Holding a risky booking on the platform itself: cancel it there through the platform's API.

When an integration's `on_hold` setting is `cancel` and a booking from it screens `refer_urgently` or
`needs_clearance`, a PlatformHold row is written in the transaction of the screening, and a worker
calls the platform (claimed, so once at a time; retried with backoff; a crashed worker's claim runs
out and the sweep tries again). The reason the client reads names no condition. Success cancels the
appointment here too and sends `booking.cancelled_on_platform`; the result is kept on the
appointment (`platform_hold`) and on the delivery that booked it. It never blocks the screening.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from booking_integration.models import HoldStatus, InboundDelivery, Integration, PlatformHold
from booking_integration.platforms.registry import get_platform
from service import http_client
from service.appointments import appointment_cancel
from service.audit import SYSTEM, audit_record
from service.claims import claim, due_unclaimed
from service.models import Appointment, AppointmentStatus
from service.queueing import enqueue

logger = logging.getLogger("sessionguard.holds")

__all__ = ["HOLD_OUTCOMES", "hold_attempt", "hold_if_risky", "hold_reason", "holds_sweep"]

HOLD_OUTCOMES = frozenset({"refer_urgently", "needs_clearance"})
HOLD_TASK = "booking_integration.tasks.cancel_on_platform"
CLAIM_FOR = dt.timedelta(minutes=2)
# Minutes to wait after the 1st, 2nd, … failed call; after the last the hold has failed for good.
BACKOFF_MINUTES = (1, 5, 30, 120, 360)


def hold_reason(appointment: Appointment) -> str:
    """What the client reads in the platform's cancellation message: calm, and no health detail."""
    return (
        f"{appointment.clinic.name} has cancelled this booking after reading your answers to the health"
        " questions, to be safe. The clinic will be in touch with you about what happens next."
    )


def hold_if_risky(
    *, integration: Integration, appointment: Appointment, delivery: InboundDelivery | None = None
) -> str:
    """Ask for the hold when the setting says so and the latest screening is risky; its state, or ""."""
    if (integration.settings or {}).get("on_hold") != "cancel" or appointment.platform_hold:
        return appointment.platform_hold if (integration.settings or {}).get("on_hold") == "cancel" else ""
    screening = appointment.latest_screening
    if screening is None or screening.outcome not in HOLD_OUTCOMES:
        return ""
    platform = get_platform(integration.platform)
    if not platform.can_cancel:
        _record(appointment, "unsupported", f"{platform.name} bookings cannot be cancelled through its API")
        return "unsupported"
    hold = PlatformHold.objects.create(
        appointment=appointment,
        integration=integration,
        delivery=delivery,
        booking_id=appointment.external_id,
        next_attempt_at=timezone.now(),
    )
    _record(appointment, HoldStatus.PENDING, "")
    enqueue(HOLD_TASK, str(hold.pk))
    logger.info("hold %s asked for appointment %s on %s", hold.pk, appointment.pk, platform.name)
    return HoldStatus.PENDING


def hold_attempt(hold_id: Any) -> str:
    """One call to the platform, if the hold is due and nobody else has it; its status after."""
    now = timezone.now()
    claimable = PlatformHold.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
        pk=hold_id,
        status=HoldStatus.PENDING,
        next_attempt_at__lte=now,
    )
    if not claim(claimable.only("pk"), claimed_until=now + CLAIM_FOR, attempts=F("attempts") + 1):
        return "not claimed"
    hold = PlatformHold.objects.select_related("integration", "appointment__clinic").get(pk=hold_id)
    platform = get_platform(hold.integration.platform)
    try:
        platform.cancel_booking(
            booking_id=hold.booking_id,
            reason=hold_reason(hold.appointment),
            settings=hold.integration.settings or {},
            http=http_client,
        )
    except http_client.HttpError as exc:
        return _failed(hold, exc.message, permanent=exc.permanent)
    except Exception as exc:  # a bug, not the platform: keep it retryable and in the log
        logger.exception("hold %s: calling %s failed", hold.pk, platform.name)
        return _failed(hold, f"internal error ({type(exc).__name__})", permanent=False)
    return _succeeded(hold)


def _succeeded(hold: PlatformHold) -> str:
    from booking_integration.outbound import appointment_data, message_create

    with transaction.atomic():
        PlatformHold.objects.filter(pk=hold.pk).update(
            status=HoldStatus.CANCELLED, claimed_until=None, next_attempt_at=None, last_error="", done_at=timezone.now()
        )
        appointment = hold.appointment
        if appointment.status == AppointmentStatus.BOOKED:
            appointment = appointment_cancel(appointment=appointment)
        _record(appointment, HoldStatus.CANCELLED, "", hold.delivery_id)
        audit_record(
            clinic_id=appointment.clinic_id,
            action="appointment.cancelled_on_platform",
            actor=SYSTEM,
            object_type="appointment",
            object_id=appointment.pk,
            note=f"on {hold.integration.platform}",
        )
        message_create(
            clinic=appointment.clinic,
            event_type="booking.cancelled_on_platform",
            data=lambda: {**appointment_data(appointment), "platform": hold.integration.platform},
        )
    logger.info("hold %s: booking cancelled on %s (attempt %d)", hold.pk, hold.integration.platform, hold.attempts)
    return HoldStatus.CANCELLED


def _failed(hold: PlatformHold, error: str, *, permanent: bool) -> str:
    error = error[:500]
    if permanent or hold.attempts > len(BACKOFF_MINUTES):
        PlatformHold.objects.filter(pk=hold.pk).update(
            status=HoldStatus.FAILED, claimed_until=None, next_attempt_at=None, last_error=error, done_at=timezone.now()
        )
        _record(hold.appointment, HoldStatus.FAILED, error, hold.delivery_id)
        logger.warning("hold %s failed for good on %s: %s", hold.pk, hold.integration.platform, error)
        return HoldStatus.FAILED
    wait = dt.timedelta(minutes=BACKOFF_MINUTES[hold.attempts - 1])
    PlatformHold.objects.filter(pk=hold.pk).update(
        claimed_until=None, next_attempt_at=timezone.now() + wait, last_error=error
    )
    _record(hold.appointment, HoldStatus.PENDING, error, hold.delivery_id)
    logger.warning("hold %s attempt %d on %s: %s; again in %s", hold.pk, hold.attempts, hold.integration.platform,
                   error, wait)  # fmt: skip
    return "retry"


def _record(appointment: Appointment, status: str, error: str, delivery_id: Any = None) -> None:
    """The hold's state on the appointment (the API's `external.hold`) and on the delivery that booked it."""
    appointment.platform_hold, appointment.platform_hold_error = status, error
    Appointment.objects.filter(pk=appointment.pk).update(platform_hold=status, platform_hold_error=error)
    if delivery_id is not None:
        with transaction.atomic():
            delivery = InboundDelivery.objects.select_for_update().get(pk=delivery_id)
            delivery.result = {**(delivery.result or {}), "hold": {"status": status, "error": error}}
            delivery.save(update_fields=["result"])


def holds_sweep(*, limit: int = 200) -> int:
    """Queue holds that are due: retries past their wait, and claims a dead worker left behind."""
    ids = due_unclaimed(PlatformHold.objects.filter(status=HoldStatus.PENDING), now=timezone.now(), limit=limit)
    for hold_id in ids:
        enqueue(HOLD_TASK, str(hold_id))
    return len(ids)
