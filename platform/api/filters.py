"""Filtering and ordering shared by every list endpoint (``?field=value``, ``?ordering=field,-other``)."""

from __future__ import annotations

from typing import Any

import django_filters
import django_filters.rest_framework
from django import forms
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, filters
from rest_framework.request import Request


class OrderingFilter(filters.OrderingFilter):
    """DRF's ordering, restricted to the view's ``ordering_fields`` and strict about them.

    A view offers ordering only when it declares ``ordering_fields``; an unknown or empty field is a
    400 naming the parameter (DRF would silently ignore it). The document lists the allowed values.
    """

    def get_valid_fields(self, queryset: Any, view: Any, context: Any = None) -> Any:
        if getattr(view, "ordering_fields", None) is None:
            return []
        return super().get_valid_fields(queryset, view, context or {})

    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: Any) -> Any:
        raw = request.query_params.get(self.ordering_param, "")
        fields = [field.strip() for field in raw.split(",")]
        if self.ordering_param not in request.query_params:
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
                "schema": {
                    "type": "array",
                    "minItems": 1,
                    "items": {"type": "string", "enum": self._allowed_values(view)},
                },
                "style": "form",
                "explode": False,
            }
        ]


class StrictBooleanField(forms.NullBooleanField):
    """``true``/``false`` (or ``1``/``0``); anything else is invalid instead of ignored."""

    def to_python(self, value: Any) -> bool | None:  # type: ignore[override]
        if value in (None, ""):
            return None
        if value in (True, "true", "True", "1"):
            return True
        if value in (False, "false", "False", "0"):
            return False
        raise forms.ValidationError(_("Enter true or false."), code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(*args, **kwargs)


class FilterSet(django_filters.rest_framework.FilterSet):
    """django-filter's FilterSet with boolean filters that reject what is not a boolean."""

    FILTER_DEFAULTS = {
        **django_filters.rest_framework.FilterSet.FILTER_DEFAULTS,
        models.BooleanField: {"filter_class": StrictBooleanFilter},
    }


class FilterBackend(DjangoFilterBackend):
    """``filterset_fields`` / ``filterset_class`` on every list view; invalid values are a 400."""

    filterset_base = FilterSet
