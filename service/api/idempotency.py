"""The Idempotency-Key header: a repeat within 24 hours returns the first answer and creates nothing."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response

from service.api.auth import request_clinic
from service.api.errors import Conflict
from service.models import IdempotencyRecord

WINDOW = timedelta(hours=24)
MAX_KEY_LENGTH = 255


def _request_hash(request: Request) -> str:
    return hashlib.sha256(json.dumps(request.data, sort_keys=True, default=str).encode()).hexdigest()


def idempotent(view: Callable[..., Response]) -> Callable[..., Response]:
    """Wrap a POST handler. The record and the work commit together, so a crash leaves no half-record.

    A concurrent repeat waits on the unique key until the first commits, then replays its answer.
    """

    @functools.wraps(view)
    def wrapper(self, request: Request, *args, **kwargs) -> Response:
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key:
            return view(self, request, *args, **kwargs)
        if len(key) > MAX_KEY_LENGTH:
            from rest_framework.exceptions import ValidationError

            raise ValidationError({"Idempotency-Key": [f"Use at most {MAX_KEY_LENGTH} characters."]})
        clinic = request_clinic(request)
        method_path = f"{request.method} {request.path}"
        digest = _request_hash(request)
        IdempotencyRecord.objects.filter(clinic=clinic, created_at__lt=timezone.now() - WINDOW).delete()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    clinic=clinic, key=key, method_path=method_path, request_hash=digest
                )
                response = view(self, request, *args, **kwargs)
                if response.status_code >= 500:
                    raise _DoNotKeep(response)
                record.status_code = response.status_code
                record.response_body = response.data
                record.save(update_fields=["status_code", "response_body"])
                return response
        except _DoNotKeep as exc:
            return exc.response
        except IntegrityError:
            first = IdempotencyRecord.objects.filter(clinic=clinic, key=key, method_path=method_path).first()
            if first is None or first.status_code is None:
                raise Conflict("A request with this Idempotency-Key is still in progress.") from None
            if first.request_hash != digest:
                raise Conflict("This Idempotency-Key was used with a different request body.") from None
            replay = Response(first.response_body, status=first.status_code)
            replay["Idempotent-Replayed"] = "true"
            return replay

    return wrapper


class _DoNotKeep(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response
