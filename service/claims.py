"""Claiming work: one worker gets each row, another skips it rather than waiting.

Two ways, one module:
- `claim` is for work done outside a transaction (a send, a platform fetch): the claimed rows are
  marked (a status, a lease) in a short transaction, so a worker that dies leaves a lease that runs
  out and a sweep finds the row again (healthchecks' sendalerts in spirit).
- `lock_batch` is for work done inside the caller's transaction: the rows stay locked until it
  commits, and concurrent sweeps take the next rows instead.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.db import models, transaction
from django.db.models import Q

__all__ = ["claim", "due_unclaimed", "lock_batch"]

M = TypeVar("M", bound=models.Model)


def lock_batch(queryset: models.QuerySet[M], limit: int) -> list[M]:
    """Lock up to `limit` rows of an ordered queryset for the current transaction, skipping locked ones."""
    if not transaction.get_connection(queryset.db).in_atomic_block:
        raise RuntimeError("lock_batch needs a transaction: the locks last until it ends")
    return list(queryset.select_for_update(skip_locked=True, of=("self",))[:limit])


def claim(queryset: models.QuerySet[M], **values: Any) -> list[M]:
    """Mark the rows of `queryset` that nobody holds with `values`; return them as they were before.

    The queryset says what is claimable (due, not leased); the values make the claim (a status,
    `claimed_until`, an attempt counted with F()). An empty list means there was nothing to claim:
    another worker has it, or it was done already.
    """
    with transaction.atomic(using=queryset.db):
        rows = list(queryset.select_for_update(skip_locked=True, of=("self",)))
        if rows:
            queryset.model._default_manager.filter(pk__in=[row.pk for row in rows]).update(**values)
    return rows


def due_unclaimed(queryset: models.QuerySet[M], *, now: dt.datetime, limit: int) -> list[object]:
    """For a sweep: ids of rows due by `now` (next_attempt_at) that nobody holds (no lease, or one that
    ran out because its worker died), the longest waiting first."""
    return list(
        queryset.filter(next_attempt_at__lte=now)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
