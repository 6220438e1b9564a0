"""Cursor pagination (`next`, `previous`, `results`), stable as rows are added; a bad cursor is a 400."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination


class ApiCursorPagination(CursorPagination):
    """DRF's cursor pagination, answering a cursor it cannot read with a 400 that names it (not a 404)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def decode_cursor(self, request: Any) -> Any:
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise ValidationError({self.cursor_query_param: ["This cursor is not one this list gave out."]}) from None


class CreatedCursorPagination(ApiCursorPagination):
    ordering = ("-created_at", "-id")


class StartCursorPagination(ApiCursorPagination):
    ordering = ("start", "id")


class AtCursorPagination(ApiCursorPagination):
    ordering = ("-at", "-id")
