"""Cursor pagination (`next`, `previous`, `results`), stable as rows are added."""

from rest_framework.pagination import CursorPagination


class CreatedCursorPagination(CursorPagination):
    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class StartCursorPagination(CursorPagination):
    ordering = ("start", "id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
