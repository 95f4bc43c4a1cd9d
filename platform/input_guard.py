"""The rules every input obeys, in the API and in HTML forms alike.

- No NUL character (``\\x00``) in any text: PostgreSQL cannot store it, so it is refused up front
  as a 400 naming the field or query parameter instead of failing later as a 500.
- Numbers are finite and within ``MAX_NUMBER`` (no ``NaN``, ``sNaN``, ``Infinity``, ``1e999``):
  they pass min/max checks as floats but cannot be stored as JSON.
- JSON documents nest at most ``MAX_DEPTH`` levels (a 5,000 levels deep document would exhaust
  the parser's recursion).

``json_problem`` checks a parsed document and names the first offending field as a path
(``a.b[2]``), which the API's problem documents report in ``errors[].field``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

MAX_DEPTH = 32
# Larger magnitudes lose precision in JSON clients (2^53) and are never a meaningful form value.
MAX_NUMBER = 2**53


class NonFinite:
    """Stands in for ``NaN``/``Infinity`` while a JSON document is parsed, so the field can be named."""


def text_problem(value: str) -> str | None:
    """Why ``value`` is refused as text, or ``None``."""
    if "\x00" in value:
        return _("Null characters (\\u0000) are not allowed.")
    return None


def number_problem(value: Any) -> str | None:
    """Why ``value`` is refused as a number, or ``None``."""
    if isinstance(value, NonFinite):
        return _("Enter a finite number (NaN and Infinity are not allowed).")
    if isinstance(value, Decimal) and not value.is_finite():
        return _("Enter a finite number (NaN and Infinity are not allowed).")
    if isinstance(value, float) and not math.isfinite(value):
        return _("Enter a finite number (NaN and Infinity are not allowed).")
    if abs(value) > MAX_NUMBER:
        return _("Enter a number between -%(max)d and %(max)d.") % {"max": MAX_NUMBER}
    return None


def first_bad_parameter(items: Iterable[tuple[str, str]]) -> tuple[str, str] | None:
    """``(name, reason)`` of the first query or form parameter that breaks the text rule."""
    for name, value in items:
        problem = text_problem(name) or text_problem(value)
        if problem:
            return name.replace("\x00", ""), problem
    return None


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def json_problem(document: Any) -> tuple[str, str] | None:
    """``(field path, reason)`` of the first part of a parsed JSON document that breaks a rule."""
    stack: list[tuple[str, Any, int]] = [("", document, 1)]
    while stack:
        path, value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth > MAX_DEPTH:
                return path or "non_field_errors", _("Nested deeper than %(max)d levels.") % {"max": MAX_DEPTH}
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str) and (problem := text_problem(key)):
                    return _join(path, key.replace("\x00", "")), problem
                stack.append((_join(path, key), item, depth + 1))
        elif isinstance(value, str):
            if problem := text_problem(value):
                return path or "non_field_errors", problem
        elif (
            isinstance(value, (int, float, NonFinite))
            and not isinstance(value, bool)
            and (problem := number_problem(value))
        ):
            return path or "non_field_errors", problem
    return None
