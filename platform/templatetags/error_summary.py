"""``form|error_items``: a bound form's errors for ``kommunal/_error_summary.html``."""

from __future__ import annotations

from django import forms, template

from kommunal.error_summary import ErrorItem, items_for_form

register = template.Library()


@register.filter
def error_items(form: forms.BaseForm) -> list[ErrorItem]:
    """The summary lines of ``form`` (none for an unbound or valid form)."""
    return items_for_form(form) if form.is_bound else []
