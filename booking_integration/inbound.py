"""Inbound webhooks: integrations, storing each delivery as received, and acting on it in a worker."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
import uuid
from collections.abc import Mapping
from typing import Any

import phonenumbers
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from booking_integration import holds
from booking_integration.answer_map import map_answers
from booking_integration.models import InboundDelivery, InboundStatus, Integration
from booking_integration.platforms.base import BookingChange, ParsedDelivery, PayloadMalformed, SignatureInvalid
from booking_integration.platforms.registry import get_platform
from service import http_client
from service.appointments import (
    appointment_book,
    appointment_cancel,
    appointment_complete,
    appointment_mark_no_show,
    appointment_rebook,
    appointment_reschedule,
)
from service.claims import claim, due_unclaimed
from service.db import Of, rows_by_keys
from service.exceptions import Conflict, DuplicateExternalId
from service.models import Appointment, AppointmentStatus, Clinic, Therapist
from service.models.appointments import Pressure
from service.people import client_resolve, therapist_resolve
from service.queueing import enqueue
from service.screening.answers import AnswersInvalid, validate_answers

logger = logging.getLogger("sessionguard.inbound")

# A delivery still `received` this long after it came in lost its queued task (broker down, worker
# crash): the sweep queues it again.
SWEEP_AFTER = dt.timedelta(minutes=1)
# Long enough for a fetch with its timeouts; a crashed worker's claim runs out after this.
CLAIM_FOR = dt.timedelta(minutes=2)
# Waits between fetch attempts (Acuity, Square customers); after the last, the delivery fails and
# waits for a replay. Short waits are queued with a countdown, longer ones left to the sweep.
FETCH_RETRY_DELAYS: tuple[int, ...] = (10, 60, 300)
MAX_COUNTDOWN_SECONDS = 60
PROCESS_TASK = "booking_integration.tasks.process_inbound_delivery"
# Never stored: the platform modules do not list them, but a careless one must not leak a token.
NEVER_STORED_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})
DEFAULT_PRESSURE = Pressure.MEDIUM
PHONE_REGIONS = {"uk": "GB", "us": "US"}


@dataclasses.dataclass(frozen=True)
class Receipt:
    """What the webhook view answers: a status code, and for 4xx the problem's detail and code."""

    status_code: int
    delivery: InboundDelivery | None = None
    detail: str = ""
    code: str = ""


# Integrations.


def webhook_url(integration: Integration) -> str:
    return f"{django_settings.SITE_URL}/hooks/{integration.platform}/{integration.id}/"


@transaction.atomic
def integration_create(
    *, clinic: Clinic, platform: str, signing_secret: str = "", settings: Mapping[str, Any] | None = None
) -> Integration:
    return Integration.objects.create(
        clinic=clinic, platform=platform, signing_secret=signing_secret, settings=dict(settings or {})
    )


@transaction.atomic
def integration_delete(*, integration: Integration) -> None:
    """Stop accepting deliveries; the integration and what it received stay on record."""
    Integration.objects.filter(pk=integration.pk).update(active=False)


# Receiving (the web process): store, then acknowledge.


def _stored_headers(platform_headers: tuple[str, ...], headers: Mapping[str, str]) -> dict[str, str]:
    wanted = {name.lower() for name in platform_headers} - NEVER_STORED_HEADERS
    return {name.lower(): value for name, value in headers.items() if name.lower() in wanted}


# A refused (unsigned or forged) delivery is kept small, and only so many a minute per integration:
# enough to see what is wrong, never a way to fill the database.
REFUSED_BODY_BYTES = 4096
REFUSED_PER_MINUTE = 30


def _refusals_exceeded(integration: Integration) -> bool:
    """Count this refusal; True past the per-minute limit. A cache that is down counts nothing (fails open)."""
    key = f"inbound-refused:{integration.pk}:{int(timezone.now().timestamp() // 60)}"
    try:
        cache.add(key, 0, timeout=120)
        return cache.incr(key) > REFUSED_PER_MINUTE
    except Exception as exc:  # any cache failure: store the refusal, as before the limit existed
        logger.warning("refusal counter unavailable (%s): storing the refused delivery", type(exc).__name__)
        return False


def _unreadable(body: bytes) -> str:
    """Why a signed body cannot be stored as parsed data, or "" (PostgreSQL text and jsonb hold no NUL)."""
    if b"\x00" in body or b"\\u0000" in body:
        return "body holds a NUL character"
    return ""


def delivery_receive(
    *, integration_id: Any, platform_name: str, body: bytes, headers: Mapping[str, str], content_type: str
) -> Receipt:
    """Verify, parse and store one POST; queue its processing once stored. Never raises for bad input."""
    integration, clinic = rows_by_keys(
        (Integration, {"pk": integration_id, "platform": platform_name, "active": True}),
        (Clinic, {"pk": Of(0, "clinic")}),
    )
    if integration is None:
        return Receipt(404, detail="There is no integration at this address.", code="not_found")
    integration.clinic = clinic
    platform = get_platform(integration.platform)
    row = InboundDelivery(
        integration=integration,
        body=body,
        content_type=content_type[:200],
        headers=_stored_headers(platform.stored_headers, headers),
    )

    # The raw body is checked before anything reads it: an unsigned body is never parsed.
    try:
        platform.verify(
            body=body,
            headers=headers,
            secret=integration.signing_secret,
            settings=integration.settings,
            now=timezone.now(),
        )
    except SignatureInvalid as exc:
        if _refusals_exceeded(integration):
            logger.warning("inbound %s refused delivery not stored: over %d a minute", integration.platform,
                           REFUSED_PER_MINUTE)  # fmt: skip
            return Receipt(429, detail="Too many refused deliveries; try again in a minute.", code="too_many_refused")
        row.status, row.error = InboundStatus.REFUSED, exc.reason
        row.body = body[:REFUSED_BODY_BYTES]
        row.save()
        logger.info("inbound %s delivery %s refused: %s", integration.platform, row.pk, exc.reason)
        return Receipt(401, row, detail="The signature is missing or does not match.", code="signature_invalid")
    row.signature_ok = True

    # From here the delivery is signed: it is stored whatever it holds, so the platform can stop retrying.
    problem = _unreadable(body)
    if not problem:
        try:
            parsed = platform.parse(
                body=body, headers=headers, content_type=content_type, default_tz=integration.clinic.tz
            )
        except PayloadMalformed as exc:
            problem = exc.message
        except (RecursionError, ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
            problem = f"body could not be read ({type(exc).__name__})"
    if problem:
        row.status, row.error = InboundStatus.MALFORMED, problem
        row.save()
        return Receipt(400, row, detail=problem, code="malformed_payload")

    row.event_type = parsed.event_type[:100]
    row.dedupe_key = parsed.dedupe_key[:512]
    if parsed.ignored_reason:
        row.status, row.result = InboundStatus.IGNORED, {"ignored": parsed.ignored_reason}
        row.processed_at = timezone.now()
    else:
        row.status = InboundStatus.RECEIVED
        row.next_attempt_at = timezone.now() + SWEEP_AFTER

    # The unique constraint decides, not a lookup first: two copies arriving at once cannot both act.
    # One INSERT needs no transaction of its own (two statements less on every delivery); inside a
    # caller's transaction a savepoint keeps a duplicate's error from breaking it.
    try:
        with transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext():
            row.save()
            if row.status == InboundStatus.RECEIVED:
                queue_processing(row.pk)
    except IntegrityError:
        row.pk = InboundDelivery._meta.pk.default()
        row.status, row.result, row.next_attempt_at = InboundStatus.DUPLICATE, {}, None
        row.save()
        return Receipt(200, row)
    return Receipt(202 if row.status == InboundStatus.RECEIVED else 200, row)


def queue_processing(delivery_id: Any, countdown: int | None = None) -> None:
    """Queue the processing task after commit; a broker that is down is logged, and the sweep queues it later."""
    enqueue(PROCESS_TASK, str(delivery_id), countdown=countdown)


# Processing (the worker).


class DeliveryFailed(Exception):
    """The delivery cannot be acted on as it is; stored on the row, replayable."""


class RetrySoon(Exception):
    """Another delivery for the same booking got there first; trying again shortly will apply this one."""


RETRY_SOON_SECONDS = 5


def _claim(delivery_id: Any) -> bool:
    now = timezone.now()
    claimable = InboundDelivery.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now), pk=delivery_id, status=InboundStatus.RECEIVED
    )
    return bool(claim(claimable.only("pk"), claimed_until=now + CLAIM_FOR, attempts=F("attempts") + 1))


def delivery_process(delivery_id: Any) -> str:
    """Act on one stored delivery, at most once at a time; returns the status it was left in."""
    if not _claim(delivery_id):
        return "not claimed"
    delivery = InboundDelivery.objects.select_related("integration__clinic").get(pk=delivery_id)
    integration = delivery.integration
    platform = get_platform(integration.platform)
    try:
        parsed = platform.parse(
            body=bytes(delivery.body),
            headers=delivery.headers,
            content_type=delivery.content_type,
            default_tz=integration.clinic.tz,
        )
    except PayloadMalformed as exc:
        return _finish(delivery, InboundStatus.FAILED, error=exc.message)

    parsed = _skip_needless_fetches(integration, parsed)
    if any(change.needs_fetch for change in parsed.changes):
        try:
            parsed = platform.fetch(
                parsed,
                settings=integration.settings,
                http=http_client,
            )
        except http_client.HttpError as exc:
            return _fetch_failed(delivery, exc)

    try:
        with transaction.atomic():
            results = [_apply(integration, change, delivery) for change in parsed.changes]
            return _finish(delivery, InboundStatus.PROCESSED, result={"changes": results})
    except (DeliveryFailed, Conflict) as exc:
        return _finish(delivery, InboundStatus.FAILED, error=str(exc))
    except RetrySoon as exc:
        return _retry_later(delivery, str(exc), RETRY_SOON_SECONDS)
    except Exception as exc:
        # Unexpected: keep the traceback in the log (no body, no answers) and the delivery replayable.
        logger.exception("inbound delivery %s failed", delivery.pk)
        return _finish(delivery, InboundStatus.FAILED, error=f"internal error ({type(exc).__name__})")


def _skip_needless_fetches(integration: Integration, parsed: ParsedDelivery) -> ParsedDelivery:
    """A change to a booking we hold that already carries its times needs nothing from the API.

    Square fetches only the customer, who is known once booked: an update must not wait on (or fail
    with) the customers API.
    """
    changes = []
    for change in parsed.changes:
        if (
            change.needs_fetch
            and change.start is not None
            and change.end is not None
            and Appointment.objects.filter(
                clinic=integration.clinic, external_platform=integration.platform, external_id=change.booking_id
            ).exists()
        ):
            change = dataclasses.replace(change, needs_fetch=False)
        changes.append(change)
    return dataclasses.replace(parsed, changes=tuple(changes))


def _finish(delivery: InboundDelivery, status: str, *, result: dict | None = None, error: str = "") -> str:
    InboundDelivery.objects.filter(pk=delivery.pk).update(
        status=status,
        result=result or {},
        error=error,
        processed_at=timezone.now(),
        claimed_until=None,
        next_attempt_at=None,
    )
    return status


def _fetch_failed(delivery: InboundDelivery, exc: http_client.HttpError) -> str:
    error = f"fetch failed (attempt {delivery.attempts}): {exc.message}"
    retries_left = delivery.attempts <= len(FETCH_RETRY_DELAYS)
    if exc.permanent or not retries_left:
        return _finish(delivery, InboundStatus.FAILED, error=error)
    return _retry_later(delivery, error, FETCH_RETRY_DELAYS[delivery.attempts - 1])


def _retry_later(delivery: InboundDelivery, error: str, delay: int) -> str:
    InboundDelivery.objects.filter(pk=delivery.pk).update(
        error=error, claimed_until=None, next_attempt_at=timezone.now() + dt.timedelta(seconds=delay)
    )
    if delay <= MAX_COUNTDOWN_SECONDS:
        queue_processing(delivery.pk, countdown=delay)
    return InboundStatus.RECEIVED


@transaction.atomic
def delivery_replay(*, delivery: InboundDelivery) -> InboundDelivery:
    """Run a delivery again (after a fix, or a failed fetch); refused and malformed ones cannot be."""
    replayable = (InboundStatus.PROCESSED, InboundStatus.FAILED, InboundStatus.RECEIVED)
    locked = InboundDelivery.objects.select_for_update().get(pk=delivery.pk)
    if locked.status not in replayable:
        raise Conflict(f"A {locked.status} delivery cannot be replayed.")
    if locked.claimed_until and locked.claimed_until > timezone.now():
        raise Conflict("The delivery is being processed right now.")
    locked.status = InboundStatus.RECEIVED
    locked.attempts = 0
    locked.error = ""
    locked.claimed_until = None
    locked.next_attempt_at = timezone.now() + SWEEP_AFTER
    try:
        locked.save(update_fields=["status", "attempts", "error", "claimed_until", "next_attempt_at"])
    except IntegrityError:
        raise Conflict("Another delivery with the same event id is already on record.") from None
    queue_processing(locked.pk)
    return locked


def deliveries_sweep(*, limit: int = 500) -> int:
    """Queue deliveries left `received` past their time (lost task, broker outage, fetch backoff)."""
    ids = due_unclaimed(InboundDelivery.objects.filter(status=InboundStatus.RECEIVED), now=timezone.now(), limit=limit)
    for delivery_id in ids:
        queue_processing(delivery_id)
    return len(ids)


# Acting on one booking change.


def _find(clinic: Clinic, platform: str, booking_id: str | None) -> Appointment | None:
    if not booking_id:
        return None
    return (
        Appointment.objects.select_for_update()
        .filter(clinic=clinic, external_platform=platform, external_id=booking_id)
        .first()
    )


def _platform(integration: Integration, change: BookingChange) -> str:
    """Where the booking's id lives: the sender's own system name when it gives one, else the platform."""
    return change.external_platform or integration.platform


def _apply(integration: Integration, change: BookingChange, delivery: InboundDelivery) -> dict[str, Any]:
    clinic, platform = integration.clinic, _platform(integration, change)
    result: dict[str, Any] = {"action": change.action, "booking_id": change.booking_id}
    appointment = _find(clinic, platform, change.booking_id)
    if appointment is None and change.previous_booking_id:
        appointment = _find(clinic, platform, change.previous_booking_id)
        if appointment is not None:
            # The platform gave the moved booking a new id (Cal.com, Calendly): follow it.
            appointment.external_id = change.booking_id
            appointment.save(update_fields=["external_id", "updated_at"])

    if appointment is not None:
        result["appointment_id"] = str(appointment.pk)
        stored_version = appointment.external_version
        if change.version is not None and stored_version is not None and change.version < stored_version:
            return {**result, "outcome": "ignored", "reason": "an older version than the one applied"}
        outcome = _change_existing(integration, appointment, change, result)
        if outcome in ("rebooked", "rescheduled"):
            _hold_if_risky(integration, appointment, delivery, result)
        if change.version is not None and (stored_version is None or change.version > stored_version):
            Appointment.objects.filter(pk=appointment.pk).update(external_version=change.version)
        return {**result, "outcome": outcome}

    if change.action in ("cancelled", "no_show"):
        return {**result, "outcome": "ignored", "reason": "no appointment has this booking id"}
    # A booking, or a move of one we never saw (connected after it was made): book it now.
    appointment = _book(integration, change, result)
    result["appointment_id"] = str(appointment.pk)
    _hold_if_risky(integration, appointment, delivery, result)
    return {**result, "outcome": "booked"}


def _hold_if_risky(integration: Integration, appointment: Appointment, delivery: InboundDelivery, result: dict) -> None:
    hold = holds.hold_if_risky(integration=integration, appointment=appointment, delivery=delivery)
    if hold:
        result["hold"] = hold


def _change_existing(integration: Integration, appointment: Appointment, change: BookingChange, result: dict) -> str:
    _keep_reschedule_url(appointment, change)
    if change.action == "cancelled":
        if appointment.status == AppointmentStatus.CANCELLED:
            return "unchanged"
        appointment_cancel(appointment=appointment)
        return "cancelled"
    if change.action == "no_show":
        if appointment.status == AppointmentStatus.NO_SHOW:
            return "unchanged"
        appointment_mark_no_show(appointment=appointment)
        return "no_show"
    if change.action == "completed":
        if appointment.status == AppointmentStatus.COMPLETED:
            return "unchanged"
        if appointment.status == AppointmentStatus.CANCELLED:
            result["reason"] = "the appointment is cancelled"
            return "ignored"
        appointment_complete(appointment=appointment)
        return "completed"
    if appointment.status == AppointmentStatus.CANCELLED and change.start is not None and change.end is not None:
        # Booked again on the platform (Cal.com's request-reschedule, a reinstated booking): reopen it.
        answers = _answers(integration, change, result) if change.form_answers else None
        appointment_rebook(appointment=appointment, start=change.start, end=change.end, answers=answers or None)
        return "rebooked"
    # booked again (Square's booking.updated, a replay) or rescheduled: a move when the time changed.
    if appointment.status != AppointmentStatus.BOOKED:
        result["reason"] = f"the appointment is {appointment.status}"
        return "ignored"
    if change.start is None or change.end is None:
        return "unchanged"
    if (appointment.start, appointment.end) == (change.start, change.end):
        return "unchanged"
    answers = _answers(integration, change, result) if change.form_answers else None
    appointment_reschedule(appointment=appointment, start=change.start, end=change.end, answers=answers or None)
    return "rescheduled"


def _keep_reschedule_url(appointment: Appointment, change: BookingChange) -> None:
    url = change.reschedule_url[:500]
    if url and url != appointment.external_reschedule_url:
        appointment.external_reschedule_url = url
        Appointment.objects.filter(pk=appointment.pk).update(external_reschedule_url=url)


def _book(integration: Integration, change: BookingChange, result: dict) -> Appointment:
    if change.start is None or change.end is None:
        raise DeliveryFailed("the booking has no start or end time")
    if change.end <= change.start:
        raise DeliveryFailed("the booking ends before it starts")
    clinic, platform = integration.clinic, _platform(integration, change)
    client = _client(clinic, platform, change)
    therapist = _therapist(integration, change, result)
    service = {
        "name": change.service_name or "Massage",
        "pressure": _pressure(integration, change),
        "duration_minutes": int((change.end - change.start).total_seconds() // 60),
    }
    answers = _answers(integration, change, result)
    try:
        # Another delivery for the same booking may have created it a moment ago.
        return appointment_book(
            clinic=clinic,
            client=client,
            therapist=therapist,
            service=service,
            start=change.start,
            end=change.end,
            answers=answers,
            external_platform=platform,
            external_id=change.booking_id,
            external_version=change.version,
            external_reschedule_url=change.reschedule_url[:500],
            source="integration",
        )
    except DuplicateExternalId:
        raise RetrySoon("another delivery booked this at the same moment") from None


def _client(clinic: Clinic, platform: str, change: BookingChange) -> Any:
    person = change.client
    if person is None or not (person.external_id or person.email or person.name):
        raise DeliveryFailed("the booking names no client")
    data: dict[str, Any] = {"name": person.name or person.email or "Client"}
    if person.email:
        data["email"] = person.email
    phone = _phone(person.phone, clinic)
    if phone:
        data["phone"] = phone
    if person.external_id:
        data["external_ids"] = {platform: person.external_id}
    return client_resolve(clinic=clinic, client=data)


def _phone(raw: str, clinic: Clinic) -> str:
    """E.164, or "" when the platform's number cannot be read (a booking is never lost over it)."""
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, PHONE_REGIONS.get(clinic.emergency_region))
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _therapist(integration: Integration, change: BookingChange, result: dict) -> Therapist | None:
    clinic = integration.clinic
    if change.therapist_id:
        found = None
        if _is_uuid(change.therapist_id):
            found = Therapist.objects.filter(clinic=clinic, pk=change.therapist_id).first()
        if found is not None:
            return found
        result["unknown_therapist_id"] = change.therapist_id
    staff = change.staff
    if staff is None:
        return None
    staff_map = integration.settings.get("staff") or {}
    for key in (staff.external_id, staff.email, (staff.email or "").lower()):
        if key and key in staff_map:
            found = Therapist.objects.filter(clinic=clinic, pk=staff_map[key]).first()
            if found is not None:
                return found
    external_ids = {integration.platform: staff.external_id} if staff.external_id else None
    return therapist_resolve(clinic=clinic, external_ids=external_ids, email=staff.email or None, name=staff.name)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _pressure(integration: Integration, change: BookingChange) -> str:
    if change.service_pressure in Pressure.values:
        return change.service_pressure
    pressure_map = integration.settings.get("service_pressure") or {}
    for key in (change.service_id, change.service_name):
        if key and key in pressure_map:
            return pressure_map[key]
    by_casefold = {str(k).casefold(): v for k, v in pressure_map.items()}
    return by_casefold.get(change.service_name.casefold(), DEFAULT_PRESSURE)


def _answers(integration: Integration, change: BookingChange, result: dict) -> dict[str, object]:
    """Validated answer keys; a bad answer is dropped and named in the result, never the booking."""
    if get_platform(integration.platform).sends_answer_keys:
        # Our own format: the answers are already answer keys (POST /api/v1/appointments' body).
        raw = dict(change.form_answers)
    else:
        raw = map_answers(change.form_answers, integration.settings.get("answer_map") or {})
    dropped: list[dict[str, str]] = []
    # Dropping an answer can make a dependent one inapplicable, so validate until clean.
    for _ in range(len(raw) + 1):
        try:
            answers = validate_answers(raw, kind="booking")
            break
        except AnswersInvalid as exc:
            for error in exc.errors:
                key = str(error.get("attr") or "").removeprefix("answers.")
                raw.pop(key, None)
                dropped.append({"attr": error.get("attr") or "", "code": error.get("code") or ""})
    else:  # pragma: no cover - each round drops at least one key
        answers = {}
    if dropped:
        result["dropped_answers"] = dropped
    return answers
