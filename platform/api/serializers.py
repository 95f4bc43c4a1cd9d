"""Building blocks shared by the apps' serializers."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import serializers


class StrictFieldsMixin:
    """Refuse unknown fields (400 naming them) instead of silently ignoring them."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))  # type: ignore[attr-defined]
            if unknown:
                raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return super().to_internal_value(data)  # type: ignore[misc]


class StrictBooleanField(serializers.BooleanField):
    """JSON ``true`` or ``false`` only, as the document says; DRF's field also takes ``0``/``1``,
    ``"yes"``/``"no"`` and more, which a client would only send by mistake."""

    def to_internal_value(self, data: Any) -> bool:
        if data is True or data is False:
            return data
        self.fail("invalid", input=data)
        raise AssertionError("fail() raises")  # pragma: no cover


def optional_email(**kwargs: Any) -> serializers.EmailField:
    """A read-only e-mail address that may be ``""``: a field a ModelSerializer generates read-only
    drops ``allow_blank``, and the document would then promise ``format: email`` for ``""``."""
    return serializers.EmailField(allow_blank=True, read_only=True, **kwargs)


def validation_error(exc: DjangoValidationError) -> serializers.ValidationError:
    """A service-layer ValidationError as the API's 400 with the same field names."""
    if hasattr(exc, "error_dict"):
        return serializers.ValidationError(exc.message_dict)
    return serializers.ValidationError({"non_field_errors": exc.messages})
