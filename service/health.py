"""GET /health/: the database, the broker and a recent worker heartbeat, each reported."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from config.celery_app import app as celery_app
from service.models import WorkerHeartbeat


def _check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True, "ok"
    except Exception as exc:  # any failure here is the answer, not an error
        return False, exc.__class__.__name__


def _check_broker() -> tuple[bool, str]:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True, "ok"
    except Exception as exc:
        return False, exc.__class__.__name__


def _check_worker() -> tuple[bool, str]:
    newest = WorkerHeartbeat.objects.exclude(hostname__startswith="ping:").order_by("-seen_at").first()
    if newest is None:
        return False, "no heartbeat yet"
    age = timezone.now() - newest.seen_at
    if age > timedelta(seconds=settings.WORKER_HEARTBEAT_MAX_AGE_SECONDS):
        return False, f"last heartbeat {int(age.total_seconds())} s ago"
    return True, f"last heartbeat {int(age.total_seconds())} s ago"


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    checks = {}
    for name, check in (("database", _check_database), ("broker", _check_broker), ("worker", _check_worker)):
        ok, detail = check()
        checks[name] = {"ok": ok, "detail": detail}
    healthy = all(c["ok"] for c in checks.values())
    body: dict[str, object] = {"status": "ok" if healthy else "degraded", "checks": checks}
    if settings.CONSOLE_SENDERS and not settings.DEBUG:
        # Not a failure of this process, so it does not fail the check; but nothing reaches anyone.
        body["warnings"] = [
            f"{name} is only printed to the console, never delivered" for name in settings.CONSOLE_SENDERS
        ]
    return JsonResponse(body, status=200 if healthy else 503)
