"""Template helpers of billing."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def euros(cents: int | None) -> str:
    """``1250`` as ``12,50 €`` (in the active language's number format)."""
    amount = Decimal(cents or 0) / 100
    return f"{number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)} €"
