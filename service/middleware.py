"""Middleware of the service: answers that hold health data are never kept by a browser or a proxy."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# The API, the client's questionnaire pages, the therapist pages, the admin and the hooks all carry or
# echo health data or credentials; the schema, docs, health and metrics do not.
_HEALTH_DATA_PREFIXES = ("/api/v1/", "/q/", "/therapist/", "/admin/", "/hooks/", "/accounts/")


def no_store_health_data(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if request.path.startswith(_HEALTH_DATA_PREFIXES):
            response["Cache-Control"] = "no-store"
        return response

    return middleware
