"""Ordering shared by every list endpoint: ``?ordering=field,-other`` over declared fields only."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework import exceptions, filters
from rest_framework.request import Request


class OrderingFilter(filters.OrderingFilter):
    """DRF's ordering, restricted to the view's ``ordering_fields`` and strict about them.

    A view offers ordering only when it declares ``ordering_fields``; an unknown field is a 400
    naming the parameter (DRF would silently ignore it). The document lists the allowed values.
    """

    def get_valid_fields(self, queryset: QuerySet[Any], view: Any, context: dict[str, Any] | None = None) -> Any:
        if getattr(view, "ordering_fields", None) is None:
            return []
        return super().get_valid_fields(queryset, view, context or {})

    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: Any) -> Any:
        raw = request.query_params.get(self.ordering_param, "")
        fields = [field.strip() for field in raw.split(",") if field.strip()]
        if not fields:
            return self.get_default_ordering(view)
        valid = self.remove_invalid_fields(queryset, fields, view, request)
        if len(valid) != len(fields):
            allowed = ", ".join(self._allowed_values(view))
            raise exceptions.ValidationError(
                {self.ordering_param: [_("Order by one or more of: %(allowed)s.") % {"allowed": allowed}]}
            )
        return valid

    def _allowed_values(self, view: Any) -> list[str]:
        names = [name for name, _label in self.get_valid_fields(None, view)]  # type: ignore[arg-type]
        return [value for name in names for value in (name, f"-{name}")]

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        if getattr(view, "ordering_fields", None) is None:
            return []
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": "Comma-separated fields to order by; a leading '-' reverses the order.",
                "schema": {"type": "array", "items": {"type": "string", "enum": self._allowed_values(view)}},
                "style": "form",
                "explode": False,
            }
        ]
