"""Outbound webhooks: endpoints, the outbox of signed events, and their delivery with retries."""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from booking_integration.models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookDeliveryStatus,
    WebhookEndpoint,
    WebhookMessage,
    generate_endpoint_secret,
)
from service import http_client, payloads
from service.claims import claim, due_unclaimed
from service.exceptions import Conflict
from service.models import Appointment, Clinic, Notification, NotificationChannel, NotificationPurpose
from service.notifications.purposes import Purpose, register_purpose
from service.queueing import enqueue

logger = logging.getLogger("sessionguard.webhooks")

# The wait before each attempt (docs/integrations.md): immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
RETRY_DELAYS: tuple[int, ...] = (0, 5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600)
SEND_TIMEOUT_SECONDS = 15.0
# Longer than a send can take; a worker that dies mid-send loses its claim after this and the
# sweep tries again (with the same webhook-id, so the receiver can tell it is a repeat).
CLAIM_FOR = dt.timedelta(minutes=2)
# Waits up to this are queued as a countdown; longer ones are left to the sweep (no long ETAs).
MAX_COUNTDOWN_SECONDS = 10
SEND_TASK = "booking_integration.tasks.send_webhook_delivery"
DISABLE_AFTER = dt.timedelta(days=5)
# After a rotation the old secret also signs for this long, so receivers can switch without a gap.
SECRET_GRACE = dt.timedelta(hours=24)
RESPONSE_BODY_LIMIT = 1024
USER_AGENT = "SessionGuard-Webhooks/1.0"


# Endpoints.


def clinic_webhook_events_refresh(clinic_id: Any) -> None:
    """Recompute the clinic's subscribed events (Clinic.webhook_events) after any endpoint change."""
    subscribed: set[str] = set()
    for events in WebhookEndpoint.objects.filter(clinic_id=clinic_id, active=True).values_list("events", flat=True):
        subscribed.update(events)
    Clinic.objects.filter(pk=clinic_id).update(webhook_events=sorted(subscribed))


@transaction.atomic
def endpoint_create(
    *, clinic: Clinic, url: str, events: Iterable[str], description: str = "", active: bool = True
) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.create(
        clinic=clinic, url=url, events=list(events), description=description, active=active
    )
    clinic_webhook_events_refresh(clinic.pk)
    return endpoint


@transaction.atomic
def endpoint_update(*, endpoint: WebhookEndpoint, **data: Any) -> WebhookEndpoint:
    """Change url, events, description or active; turning an endpoint back on forgets its failures."""
    fields = [name for name in ("url", "events", "description", "active") if name in data]
    for name in fields:
        setattr(endpoint, name, data[name])
    if data.get("active") is True:
        endpoint.disabled_reason = ""
        endpoint.failing_since = None
        fields += ["disabled_reason", "failing_since"]
    if fields:
        endpoint.save(update_fields=fields)
        clinic_webhook_events_refresh(endpoint.clinic_id)
    return endpoint


@transaction.atomic
def endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    clinic_id = endpoint.clinic_id
    endpoint.delete()
    clinic_webhook_events_refresh(clinic_id)


@transaction.atomic
def endpoint_rotate_secret(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """A new secret; the old one keeps signing alongside it for SECRET_GRACE."""
    endpoint.previous_secret = endpoint.secret
    endpoint.secret = generate_endpoint_secret()
    endpoint.rotated_at = timezone.now()
    endpoint.save(update_fields=["previous_secret", "secret", "rotated_at"])
    return endpoint


@transaction.atomic
def _disable(endpoint_id: Any, reason: str) -> bool:
    """Turn the endpoint off once; True for the call that did it."""
    done = WebhookEndpoint.objects.filter(pk=endpoint_id, active=True).update(active=False, disabled_reason=reason) == 1
    if done:
        clinic_webhook_events_refresh(WebhookEndpoint.objects.values_list("clinic_id", flat=True).get(pk=endpoint_id))
    return done


# The outbox: written in the transaction of the change it reports.


EventData = Mapping[str, Any] | Callable[[], Mapping[str, Any]]


def message_create(*, clinic: Clinic | Any, event_type: str, data: EventData) -> WebhookMessage | None:
    """Store the event once and a delivery per subscribed endpoint; queue them when the change commits.

    `data` may be a callable, so that events nobody subscribed to cost one query and no serializing.
    """
    messages = messages_create(event_type=event_type, items=[(clinic, data)])
    return messages[0] if messages else None


def messages_create(*, event_type: str, items: Sequence[tuple[Any, EventData]]) -> list[WebhookMessage]:
    """The same for a batch of events of one type (a sweep's): a fixed number of queries for any size."""
    # A loaded clinic says whether anyone listens (Clinic.webhook_events): then nothing is queried.
    items = [
        (getattr(clinic, "pk", clinic), data)
        for clinic, data in items
        if not isinstance(clinic, Clinic) or event_type in clinic.webhook_events
    ]
    if not items:
        return []
    clinic_ids = {clinic_id for clinic_id, _ in items}
    # Few endpoints per clinic, and `events` is a JSON list: filtering here works on every database.
    subscribed: dict[Any, list[WebhookEndpoint]] = {}
    for endpoint in WebhookEndpoint.objects.filter(clinic_id__in=clinic_ids, active=True).only(
        "id", "clinic_id", "events"
    ):
        if event_type in endpoint.events:
            subscribed.setdefault(endpoint.clinic_id, []).append(endpoint)
    if not subscribed:
        return []
    now = timezone.now()
    messages, deliveries = [], []
    for clinic_id, data in items:
        endpoints = subscribed.get(clinic_id)
        if not endpoints:
            continue
        if callable(data):
            data = data()
        # A JSON round trip so the stored payload is exactly what is sent (UUIDs and times as text).
        payload = json.loads(
            json.dumps({"type": event_type, "timestamp": now.isoformat(), "data": data}, cls=DjangoJSONEncoder)
        )
        message = WebhookMessage(clinic_id=clinic_id, event_type=event_type, payload=payload)
        messages.append(message)
        deliveries.extend(WebhookDelivery(message=message, endpoint=e, next_attempt_at=now) for e in endpoints)
    WebhookMessage.objects.bulk_create(messages)
    WebhookDelivery.objects.bulk_create(deliveries)
    ids = [delivery.pk for delivery in deliveries]
    for delivery_id in ids:
        queue_send(delivery_id)
    return messages


def queue_send(delivery_id: Any, countdown: int | None = None) -> None:
    """Queue one attempt after commit; a broker that is down is logged, and the sweep queues it later."""
    enqueue(SEND_TASK, str(delivery_id), countdown=countdown)


# Sending.


def event_body(message: WebhookMessage) -> bytes:
    """The exact bytes sent, the same on every retry (ASCII, so bytes and the signed text agree)."""
    return json.dumps(message.payload, separators=(",", ":"), sort_keys=True).encode("ascii")


def signature_headers(endpoint: WebhookEndpoint, message_id: str, body: bytes, at: dt.datetime) -> dict[str, str]:
    """Standard Webhooks headers; during a rotation's grace period both secrets sign."""
    secrets = [endpoint.secret]
    if endpoint.previous_secret and endpoint.rotated_at and at - endpoint.rotated_at < SECRET_GRACE:
        secrets.append(endpoint.previous_secret)
    text = body.decode("ascii")
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": " ".join(Webhook(secret).sign(message_id, at, text) for secret in secrets),
    }


def _claim(delivery_id: Any) -> WebhookDelivery | None:
    now = timezone.now()
    claimable = WebhookDelivery.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
        pk=delivery_id,
        status__in=[WebhookDeliveryStatus.PENDING, WebhookDeliveryStatus.SENDING],
        next_attempt_at__lte=now,
    )
    claimed = claim(
        claimable.only("pk", "status", "claimed_until"),
        status=WebhookDeliveryStatus.SENDING,
        claimed_until=now + CLAIM_FOR,
        attempt_count=F("attempt_count") + 1,
    )
    if not claimed:
        return None
    before = claimed[0]
    if before.status == WebhookDeliveryStatus.SENDING:
        # Its claim ran out: the worker that held it stopped before it could record anything.
        WebhookAttempt.objects.create(
            delivery_id=before.pk,
            attempted_at=(before.claimed_until or now) - CLAIM_FOR,
            error="no result recorded: the worker stopped during this attempt",
        )
    return WebhookDelivery.objects.select_related("message", "endpoint").get(pk=before.pk)


def delivery_send(delivery_id: Any) -> str:
    """Make one attempt if the delivery is due and nobody else holds it; returns its status after."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return "not claimed"
    endpoint, message = delivery.endpoint, delivery.message
    if not endpoint.active:
        return _settle(delivery, WebhookDeliveryStatus.FAILED, error="the endpoint is disabled")

    body = event_body(message)
    attempted_at = timezone.now()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        **signature_headers(endpoint, message.pk, body, attempted_at),
    }
    started = time.monotonic()
    status_code, response_body, error = None, "", ""
    try:
        result = http_client.request(
            "POST",
            endpoint.url,
            headers=headers,
            content=body,
            timeout=SEND_TIMEOUT_SECONDS,
        )
        status_code = result.status_code
        response_body = result.body[:RESPONSE_BODY_LIMIT].decode("utf-8", errors="replace")
        duration_ms = result.elapsed_ms
        if not result.ok:
            error = f"HTTP {status_code}"
    except http_client.HttpError as exc:
        duration_ms = int((time.monotonic() - started) * 1000)
        error = exc.message
    WebhookAttempt.objects.create(
        delivery=delivery,
        attempted_at=attempted_at,
        status_code=status_code,
        duration_ms=duration_ms,
        response_body=response_body,
        error=error,
    )
    log_url = http_client.clean_url_for_log(endpoint.url)
    logger.info("webhook %s to %s attempt %d: %s", message.pk, log_url, delivery.attempt_count, status_code or error)

    if status_code is not None and 200 <= status_code < 300:
        WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=False).update(failing_since=None)
        return _settle(delivery, WebhookDeliveryStatus.SUCCEEDED, status_code=status_code)
    if status_code == 410:
        _disable(endpoint.pk, "The endpoint answered 410 Gone.")
        return _settle(delivery, WebhookDeliveryStatus.FAILED, status_code=status_code, error=error)

    _endpoint_failed(endpoint, attempted_at)
    if delivery.attempt_count >= len(RETRY_DELAYS):
        return _settle(delivery, WebhookDeliveryStatus.FAILED, status_code=status_code, error=error)
    delay = RETRY_DELAYS[delivery.attempt_count]
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDeliveryStatus.PENDING,
        claimed_until=None,
        next_attempt_at=attempted_at + dt.timedelta(seconds=delay),
        last_status_code=status_code,
        last_error=error,
    )
    if delay <= MAX_COUNTDOWN_SECONDS:
        queue_send(delivery.pk, countdown=delay)
    return WebhookDeliveryStatus.PENDING


def _settle(delivery: WebhookDelivery, status: str, *, status_code: int | None = None, error: str = "") -> str:
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=status,
        claimed_until=None,
        last_status_code=status_code,
        last_error=error,
        succeeded_at=timezone.now() if status == WebhookDeliveryStatus.SUCCEEDED else None,
    )
    return status


def _endpoint_failed(endpoint: WebhookEndpoint, at: dt.datetime) -> None:
    """Remember when the failures began; five days of nothing but failures turns the endpoint off."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(failing_since=at)
    endpoint.refresh_from_db(fields=["failing_since", "active"])
    if endpoint.failing_since is None or at - endpoint.failing_since < DISABLE_AFTER:
        return
    if _disable(endpoint.pk, "It failed for 5 days in a row."):
        endpoint_disabled_notify(endpoint)


def endpoint_disabled_notify(endpoint: WebhookEndpoint) -> Notification | None:
    """Tell the clinic by email; the notifications sender delivers it (once, by its dedupe key)."""
    clinic = endpoint.clinic
    if not clinic.contact_email:
        logger.warning("endpoint %s disabled; clinic %s has no contact address to tell", endpoint.pk, clinic.pk)
        return None
    notification, _ = Notification.objects.get_or_create(
        dedupe_key=f"endpoint-disabled:{endpoint.id}:{endpoint.failing_since.isoformat()}",
        defaults={
            "clinic": clinic,
            "channel": NotificationChannel.EMAIL,
            "purpose": NotificationPurpose.ENDPOINT_DISABLED,
            "recipient": clinic.contact_email,
            "next_attempt_at": timezone.now(),
            "context": {"endpoint_url": http_client.clean_url_for_log(endpoint.url)},
        },
    )
    return notification


@transaction.atomic
def delivery_redeliver(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send the same message (same webhook-id) to the endpoint again, starting a fresh schedule."""
    locked = WebhookDelivery.objects.select_for_update().select_related("endpoint").get(pk=delivery.pk)
    if not locked.endpoint.active:
        raise Conflict("The endpoint is disabled; turn it back on (PATCH active=true) first.")
    held = locked.claimed_until is not None and locked.claimed_until > timezone.now()
    if locked.status == WebhookDeliveryStatus.SENDING and held:
        raise Conflict("The delivery is being sent right now.")
    locked.status = WebhookDeliveryStatus.PENDING
    locked.attempt_count = 0
    locked.next_attempt_at = timezone.now()
    locked.claimed_until = None
    locked.save(update_fields=["status", "attempt_count", "next_attempt_at", "claimed_until"])
    queue_send(locked.pk)
    return locked


def deliveries_sweep(*, limit: int = 500) -> int:
    """Queue deliveries that are due: retries past their wait, and claims a dead worker left behind."""
    active = WebhookDelivery.objects.filter(status__in=[WebhookDeliveryStatus.PENDING, WebhookDeliveryStatus.SENDING])
    ids = due_unclaimed(active, now=timezone.now(), limit=limit)
    for delivery_id in ids:
        queue_send(delivery_id)
    return len(ids)


# Event data: what the booking system needs, and no health details beyond the screening's result.


def _external(appointment: Appointment | None) -> dict[str, str] | None:
    if appointment is None or not appointment.external_id:
        return None
    return {"platform": appointment.external_platform, "id": appointment.external_id}


def appointment_data(appointment: Appointment) -> dict[str, Any]:
    """An appointment's state for booking.cancelled_on_platform: ids, times, status, the screening's outcome."""
    screening = appointment.latest_screening
    return {
        "appointment_id": str(appointment.pk),
        "client_id": str(appointment.client_id),
        "status": appointment.status,
        "start": payloads.iso_time(appointment.start),
        "end": payloads.iso_time(appointment.end),
        "outcome": screening.outcome if screening is not None else None,
        "external": _external(appointment),
    }


def screening_data(screening: Any) -> dict[str, Any]:
    data = payloads.screening_data(screening)
    data["client_id"] = str(screening.client_id)
    data["external"] = _external(screening.appointment)
    return data


def flag_data(flag: Any) -> dict[str, Any]:
    data = payloads.flag_data(flag)
    data["external"] = _external(flag.appointment)
    return data


def invitation_data(invitation: Any, *, response: Any = None, screening: Any = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "appointment_id": str(invitation.appointment_id),
        "kind": invitation.kind,
        "invitation_id": str(invitation.pk),
        "external": _external(invitation.appointment),
    }
    if response is None and screening is None:
        data["sent_at"] = invitation.sent_at
    else:
        data["completed_at"] = invitation.completed_at or getattr(response, "submitted_at", None)
        data["screening_id"] = str(screening.pk) if screening is not None else None
        data["outcome"] = screening.outcome if screening is not None else None
    return data


def _endpoint_context(notification: Notification) -> dict[str, Any]:
    # Only scheme, host and path: a query string may hold a secret.
    return {"endpoint_url": http_client.clean_url_for_log(str(notification.context.get("endpoint_url", "")))}


register_purpose(Purpose(name=NotificationPurpose.ENDPOINT_DISABLED, context=_endpoint_context))
