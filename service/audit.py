"""The audit log's one writer, and the actors that appear in it (a signed-in user, an API key, the system)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from service.models import ActorType, ApiKey, AuditEvent


@dataclass(frozen=True, slots=True)
class Actor:
    type: str
    id: str = ""
    name: str = ""

    def as_dict(self) -> dict[str, str | None]:
        return {"type": self.type, "id": self.id or None, "name": self.name}


SYSTEM = Actor(ActorType.SYSTEM, "", "SessionGuard")


def actor_for_user(user: Any) -> Actor:
    name = user.get_full_name() or user.get_username()
    return Actor(ActorType.USER, str(user.pk), name)


def actor_for_api_key(key: ApiKey) -> Actor:
    return Actor(ActorType.API_KEY, str(key.pk), key.name or key.prefix)


def actor_for_request(request: Any) -> Actor:
    """Who is asking: the API key of an API call, else the signed-in user of a page."""
    if isinstance(getattr(request, "auth", None), ApiKey):
        return actor_for_api_key(request.auth)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return actor_for_user(user)
    return SYSTEM


def audit_record(
    *,
    clinic_id: uuid.UUID | str,
    action: str,
    actor: Actor,
    object_type: str,
    object_id: uuid.UUID | str,
    note: str = "",
) -> AuditEvent:
    """Append one event; call it inside the transaction of the change it records."""
    return AuditEvent.objects.create(
        clinic_id=clinic_id,
        action=action,
        actor_type=actor.type,
        actor_id=actor.id,
        actor_name=actor.name[:255],
        object_type=object_type,
        object_id=object_id,
        note=note,
    )


# The flag's history, as the API and the flag page show it (oldest first).
FLAG_EVENT_ACTIONS = {
    "flag.raised": "raised",
    "flag.alerted": "alerted",
    "flag.escalated": "escalated",
    "flag.acknowledged": "acknowledged",
    "flag.resolved": "resolved",
}


def flag_events(*, flag_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[dict[str, Any]]]:
    """Each flag's history in one query: `{flag_id: [{"action", "actor", "note", "at"}, ...]}`."""
    history: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    rows = AuditEvent.objects.filter(
        object_type="flag", object_id__in=list(flag_ids), action__in=FLAG_EVENT_ACTIONS
    ).order_by("at", "id")
    for event in rows:
        history[event.object_id].append(
            {
                "action": FLAG_EVENT_ACTIONS[event.action],
                "actor": Actor(event.actor_type, event.actor_id, event.actor_name).as_dict(),
                "note": event.note,
                "at": event.at,
            }
        )
    return history
