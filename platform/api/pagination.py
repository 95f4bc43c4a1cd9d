"""Pagination shared by every list endpoint."""

from __future__ import annotations

from rest_framework import pagination


class CursorPagination(pagination.CursorPagination):
    """Stable cursor pagination: pages do not shift while new rows arrive."""

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 200
