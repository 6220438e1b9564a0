"""One error shape for the whole API: RFC 9457 problem details, made here and nowhere else."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from service.exceptions import Conflict as ServiceConflict

logger = logging.getLogger("sessionguard.api")

PROBLEM_CONTENT_TYPE = "application/problem+json"
TOO_BIG = "The body is larger than this service accepts (2.5 MB)."
TYPE_BASE = "https://sessionguard.dev/problems/"

TITLES = {
    400: "Invalid request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    413: "Content too large",
    415: "Unsupported media type",
    422: "Unprocessable request",
    429: "Too many requests",
    500: "Server error",
    503: "Service unavailable",
}


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state."
    default_code = "conflict"


def problem_body(status_code: int, detail: str, *, code: str, errors: list[dict] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": TYPE_BASE + code.replace("_", "-"),
        "title": TITLES.get(status_code, "Error"),
        "status": status_code,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    return body


def flatten_errors(detail: Any, prefix: str = "") -> Iterator[dict[str, Any]]:
    """Turn DRF's nested error detail into a flat list naming each field by its dotted path."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key in ("non_field_errors", "__all__"):
                yield from flatten_errors(value, prefix)
            else:
                yield from flatten_errors(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if isinstance(value, dict | list):
                yield from flatten_errors(value, f"{prefix}.{index}" if prefix else str(index))
            else:
                yield from flatten_errors(value, prefix)
    else:
        yield {"attr": prefix or None, "code": getattr(detail, "code", "invalid"), "detail": str(detail)}


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, RequestDataTooBig):
        body = problem_body(413, TOO_BIG, code="body_too_large")
        return Response(body, status=413, content_type=PROBLEM_CONTENT_TYPE)
    if isinstance(exc, ServiceConflict):
        exc = Conflict(str(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    if isinstance(exc, exceptions.ValidationError):
        errors = list(flatten_errors(exc.detail))
        named = ", ".join(sorted({e["attr"] for e in errors if e["attr"]}))
        detail = f"Check these fields: {named}." if named else (errors[0]["detail"] if errors else "Invalid input.")
        body = problem_body(400, detail, code="validation_error", errors=errors)
        set_rollback()
        return Response(body, status=400, content_type=PROBLEM_CONTENT_TYPE)

    response = exception_handler(exc, context)
    if response is None:
        # Unexpected: log with the traceback (never the request body) and answer in the same shape.
        logger.exception("unhandled error in %s", context.get("view").__class__.__name__)
        set_rollback()
        body = problem_body(500, "Something went wrong on our side; nothing you sent was lost.", code="server_error")
        return Response(body, status=500, content_type=PROBLEM_CONTENT_TYPE)

    detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
    code = getattr(exc, "default_code", "error")
    if isinstance(detail, dict | list):
        errors = list(flatten_errors(detail))
        body = problem_body(response.status_code, errors[0]["detail"] if errors else "", code=code, errors=errors)
    else:
        code = getattr(detail, "code", code) or code
        body = problem_body(response.status_code, str(detail), code=code)
    response.data = body
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


def problem_response(status_code: int, detail: str, *, code: str) -> JsonResponse:
    """A problem+json answer for plain Django views (404/500 handlers, webhooks, health)."""
    return JsonResponse(
        problem_body(status_code, detail, code=code), status=status_code, content_type=PROBLEM_CONTENT_TYPE
    )


def _wants_problem(request: HttpRequest) -> bool:
    return request.path.startswith(("/api/", "/hooks/"))


def handler400(request: HttpRequest, exception: Exception | None = None):
    """Bad requests Django itself refuses (a body over the size limit, a malformed header) outside DRF."""
    if isinstance(exception, RequestDataTooBig):
        return problem_response(413, TOO_BIG, code="body_too_large")
    if _wants_problem(request):
        return problem_response(400, "The request could not be read.", code="bad_request")
    from django.views.defaults import bad_request

    return bad_request(request, exception)


def handler404(request: HttpRequest, exception: Exception | None = None):
    if _wants_problem(request):
        return problem_response(404, "There is nothing at this address.", code="not_found")
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def handler500(request: HttpRequest):
    if _wants_problem(request):
        return problem_response(
            500, "Something went wrong on our side; nothing you sent was lost.", code="server_error"
        )
    from django.views.defaults import server_error

    return server_error(request)
