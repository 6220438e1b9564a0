"""What every booking platform module provides, and the normalized booking change they all emit."""

from __future__ import annotations

import hashlib
import hmac
import json
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, Literal

from service.http_client import HttpError

Action = Literal["booked", "rescheduled", "cancelled", "no_show", "completed"]

# Where a platform signs a time, a delivery older or newer than this is refused (replays, bad clocks).
TIMESTAMP_TOLERANCE = timedelta(minutes=5)


class SignatureInvalid(Exception):
    """The delivery's signature is missing or wrong; `reason` is short and safe to store."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class PayloadMalformed(Exception):
    """The body cannot be understood; the message is returned to the sender."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Person:
    external_id: str | None
    name: str
    email: str
    phone: str


@dataclass(frozen=True)
class BookingChange:
    action: Action
    booking_id: str
    previous_booking_id: str | None = None
    start: datetime | None = None  # aware, UTC
    end: datetime | None = None  # aware, UTC
    client: Person | None = None
    staff: Person | None = None  # external_id is the platform's staff id
    service_name: str = ""
    service_id: str = ""
    # Raw booking-form answers, keyed by label and by field name/ID where the platform has both.
    form_answers: dict[str, object] = field(default_factory=dict)
    notes: str = ""
    version: int | None = None
    needs_fetch: bool = False
    # Only for platforms that carry them (Standard Webhooks): our pressure word and therapist id.
    service_pressure: str | None = None
    therapist_id: str | None = None
    # The sender's own name for its system, where it differs from the integration's platform
    # (Standard Webhooks carries it in data.external.platform): the appointment is kept under it.
    external_platform: str | None = None
    # Where the client can move this booking on the platform, when it gives one.
    reschedule_url: str = ""


@dataclass(frozen=True)
class ParsedDelivery:
    event_type: str
    # The same key for a retry of the same change, so it is acted on once. "" where acting again cannot
    # change anything (the body is only an id and processing fetches the current state): every
    # delivery is then acted on, and a second change with a byte-identical body is never dropped.
    dedupe_key: str
    changes: tuple[BookingChange, ...] = ()
    # Set for valid events we do not act on: they are stored and answered 2xx so nobody retries.
    ignored_reason: str | None = None


class Platform(ABC):
    name: str = ""
    stored_headers: tuple[str, ...] = ()
    # False where the platform signs with something in its settings (Acuity: the API key).
    signs_with_secret: bool = True
    # Settings it cannot work without: key → what to tell the clinic when it is missing.
    required_settings: Mapping[str, str] = {}
    # The sender writes SessionGuard's own answer keys (Standard Webhooks): no answer_map applies.
    sends_answer_keys: bool = False

    def validate_settings(self, *, signing_secret: str, settings: Mapping[str, Any]) -> dict[str, Any]:
        """What is wrong with a new integration's secret and settings, keyed as the API's fields ({} if fine)."""
        errors: dict[str, Any] = {}
        if self.signs_with_secret and not signing_secret:
            errors["signing_secret"] = [f"{self.name} signs its webhooks: give the secret it shows you."]
        missing = {key: [why] for key, why in self.required_settings.items() if not settings.get(key)}
        if settings.get("on_hold") == "cancel":
            if not self.can_cancel:
                missing["on_hold"] = [f"{self.name} bookings cannot be cancelled through its API: use none."]
            elif not settings.get("api_key"):
                missing["api_key"] = [f"Cancelling on {self.name} needs its API key (api_key)."]
        if missing:
            errors["settings"] = missing
        return errors

    @abstractmethod
    def verify(
        self,
        *,
        body: bytes,
        headers: Mapping[str, str],
        secret: str,
        settings: Mapping[str, Any],
        now: datetime,
    ) -> None:
        """Raise SignatureInvalid unless the raw body is signed as this platform signs it."""

    @abstractmethod
    def parse(
        self,
        *,
        body: bytes,
        headers: Mapping[str, str],
        content_type: str,
        default_tz: tzinfo | None = None,
    ) -> ParsedDelivery:
        """Turn a verified body into changes; raise PayloadMalformed when it cannot be understood.

        `default_tz` (the clinic's time zone) is used only for platforms that send times without
        an offset.
        """

    # Whether `cancel_booking` is implemented: a risky booking can be held on the platform itself.
    can_cancel: bool = False
    # Where its API lives unless settings.api_base_url says otherwise (a local server in the tests).
    default_api_base_url: str = ""

    def api_call(
        self, settings: Mapping[str, Any], http: Any, method: str, path: str, *, what: str, **kwargs: Any
    ) -> Any:
        """One call to the platform's API through the outgoing HTTP wrapper; HttpError unless 2xx."""
        base_url = str(settings.get("api_base_url") or self.default_api_base_url).rstrip("/")
        result = http.request(method, f"{base_url}{path}", **kwargs)
        raise_for_status(result, what)
        return result

    def cancel_booking(self, *, booking_id: str, reason: str, settings: Mapping[str, Any], http: Any) -> None:
        """Cancel the booking through the platform's API with `reason`; raises HttpError."""
        raise HttpError(f"{self.name} bookings cannot be cancelled through its API", permanent=True)

    def fetch(
        self,
        delivery: ParsedDelivery,
        *,
        settings: Mapping[str, Any],
        http: Any,
    ) -> ParsedDelivery:
        """Complete changes marked needs_fetch from the platform's API; raises HttpError."""
        return delivery


# Helpers shared by the platform modules.


def header(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive header lookup over any mapping."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def required_header(headers: Mapping[str, str], name: str) -> str:
    """The signature header's value, or SignatureInvalid naming the missing header."""
    value = (header(headers, name) or "").strip()
    if not value:
        raise SignatureInvalid(f"missing {name}")
    return value


def required_secret(secret: str) -> str:
    if not secret:
        raise SignatureInvalid("no signing secret configured")
    return secret


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def hmac_sha256(key: str | bytes, message: bytes) -> bytes:
    if isinstance(key, str):
        key = key.encode()
    return hmac.new(key, message, hashlib.sha256).digest()


def signatures_match(expected: str | bytes, given: str | bytes) -> bool:
    if isinstance(expected, str):
        expected = expected.encode()
    if isinstance(given, str):
        given = given.encode()
    return hmac.compare_digest(expected, given)


def check_timestamp(signed_at: datetime, now: datetime) -> None:
    if abs(now - signed_at) > TIMESTAMP_TOLERANCE:
        raise SignatureInvalid("timestamp outside the 5-minute tolerance")


def check_unix_timestamp(raw: str, now: datetime) -> None:
    """A signed unix time, checked against the tolerance; any value that is not one is a bad signature."""
    try:
        signed_at = datetime.fromtimestamp(int(raw.strip()), tz=UTC)
    except (ValueError, OverflowError, OSError):
        raise SignatureInvalid("the signed timestamp is not a unix time") from None
    check_timestamp(signed_at, now)


def load_json_object(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise PayloadMalformed("body is not valid JSON") from exc
    except RecursionError:
        raise PayloadMalformed("body is nested too deeply") from None
    if not isinstance(data, dict):
        raise PayloadMalformed("body must be a JSON object")
    return data


def get_object(data: Mapping[str, Any], key: str, where: str = "") -> dict[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise PayloadMalformed(f"`{where}{key}` must be an object")
    return value


def optional_object(data: Mapping[str, Any], key: str, where: str = "") -> dict[str, Any]:
    value = data.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise PayloadMalformed(f"`{where}{key}` must be an object")
    return value


def get_id(data: Mapping[str, Any], key: str, where: str = "") -> str:
    """A required identifier; platforms send some ids as numbers."""
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        raise PayloadMalformed(f"`{where}{key}` is missing")
    return str(value)


def optional_id(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        return None
    return str(value)


def text(data: Mapping[str, Any], key: str) -> str:
    """An optional text field: absent, null or non-text becomes ""."""
    value = data.get(key)
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def full_name(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def parse_datetime(value: Any, field_name: str, default_tz: tzinfo | None = None) -> datetime:
    """ISO 8601 time to aware UTC; a time without offset needs default_tz."""
    if not isinstance(value, str) or not value:
        raise PayloadMalformed(f"`{field_name}` must be an ISO 8601 time")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise PayloadMalformed(f"`{field_name}` must be an ISO 8601 time") from exc
    if parsed.tzinfo is None:
        if default_tz is None:
            raise PayloadMalformed(f"`{field_name}` has no UTC offset and no time zone is known")
        parsed = parsed.replace(tzinfo=default_tz)
    return parsed.astimezone(UTC)


def optional_datetime(
    data: Mapping[str, Any], key: str, where: str = "", default_tz: tzinfo | None = None
) -> datetime | None:
    value = data.get(key)
    if value in (None, ""):
        return None
    return parse_datetime(value, f"{where}{key}", default_tz)


def int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def raise_for_status(result: Any, what: str) -> None:
    """Turn a non-2xx API answer into HttpError; 4xx other than 408/429 will not fix itself."""
    status = result.status_code
    if 200 <= status < 300:
        return
    permanent = 400 <= status < 500 and status not in (408, 429)
    raise HttpError(f"{what} answered HTTP {status}", permanent=permanent, status_code=status)


def bearer(settings: Mapping[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {settings.get('api_key') or ''}", "Accept": "application/json"}


def json_from_result(result: Any, what: str) -> dict[str, Any]:
    try:
        data = json.loads(result.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise HttpError(f"{what} answered with a body that is not JSON", permanent=True) from exc
    if not isinstance(data, dict):
        raise HttpError(f"{what} answered with JSON that is not an object", permanent=True)
    return data
