"""The error summary at the top of a form (KERN / GOV.UK pattern), shared by all forms.

A view that re-renders a form with errors passes ``error_items`` to
``kommunal/_error_summary.html``: one entry per wrong input, each linking to that input.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django import forms


@dataclass(frozen=True)
class ErrorItem:
    """One line of the summary: what is wrong with the input whose id is ``target``.

    ``target`` is empty for errors of the whole form, which are listed without a link.
    """

    target: str
    label: str
    messages: list[str]


def items_for_form(form: forms.BaseForm, skip: Iterable[str] = ()) -> list[ErrorItem]:
    """The summary of a bound Django form: errors of the whole form first, then field by field."""
    whole_form = [str(message) for message in form.non_field_errors()]
    items = [ErrorItem("", "", whole_form)] if whole_form else []
    for field in form:
        if field.errors and field.name not in skip:
            target = field.id_for_label or str(field.auto_id)
            items.append(ErrorItem(target, str(field.label), [str(message) for message in field.errors]))
    return items
