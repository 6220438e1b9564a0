"""What the outbox asks of each kind of message, registered by the module that makes them.

The outbox sends rows; whether a row is still wanted when its turn comes (the questionnaire was
answered, the flag acknowledged, the therapist deactivated), what its templates are given, and what
happens once it is sent belong to the part of the service that made it. Each registers a Purpose
here, so the outbox knows no rule of theirs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from service.models import Notification

__all__ = ["Purpose", "get_purpose", "register_purpose", "related_fields"]


def _always(notification: Notification, now: dt.datetime) -> str:
    return ""


def _no_context(notification: Notification) -> Mapping[str, Any]:
    return {}


def _nothing(notification: Notification) -> None:
    return None


@dataclass(frozen=True)
class Purpose:
    name: str
    # Why this row must not go out any more, "" when it should (checked just before each attempt).
    not_to_send: Callable[[Notification, dt.datetime], str] = _always
    # What the templates under notifications/<format>/<purpose>… are given besides the clinic's name.
    context: Callable[[Notification], Mapping[str, Any]] = _no_context
    # Run in the transaction that records the send (an audit record, say).
    on_sent: Callable[[Notification], None] = _nothing
    # Relations read by the hooks, fetched with the row in one query.
    related: tuple[str, ...] = ()
    # The language it is written in (a client's message: theirs, else the clinic's); "" for English.
    language: Callable[[Notification], str] | None = None


_PURPOSES: dict[str, Purpose] = {}


def register_purpose(purpose: Purpose) -> Purpose:
    """Add or replace one purpose's hooks (modules call this when they are imported)."""
    _PURPOSES[purpose.name] = purpose
    return purpose


def get_purpose(name: str) -> Purpose:
    """The purpose's hooks; a purpose nobody registered is sent as it is, with no context."""
    return _PURPOSES.get(name) or Purpose(name=name)


def related_fields() -> tuple[str, ...]:
    """Every relation any purpose reads, for one select_related over a chunk of rows."""
    return tuple(sorted({path for purpose in _PURPOSES.values() for path in purpose.related}))
