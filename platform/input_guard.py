"""The rules every input obeys, in the API and in HTML forms alike.

- No NUL character (``\\x00``) in any text: PostgreSQL cannot store it, so it is refused up front
  as a 400 naming the field or query parameter instead of failing later as a 500.
- Numbers are finite (no ``NaN``, ``sNaN``, ``Infinity``, ``1e999``): they pass min/max checks as
  floats but cannot be stored as JSON. Values a citizen's form stores are also within
  ``MAX_NUMBER`` (``1e999999`` would become an integer of a million digits).
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


def number_problem(value: Any, max_magnitude: int | None = None) -> str | None:
    """Why ``value`` is refused as a number, or ``None``; ``max_magnitude`` for stored form values."""
    if isinstance(value, NonFinite):
        return _("Enter a finite number (NaN and Infinity are not allowed).")
    if isinstance(value, Decimal) and not value.is_finite():
        return _("Enter a finite number (NaN and Infinity are not allowed).")
    if isinstance(value, float) and not math.isfinite(value):
        return _("Enter a finite number (NaN and Infinity are not allowed).")
    if max_magnitude is not None and abs(value) > max_magnitude:
        return _("Enter a number between -%(max)d and %(max)d.") % {"max": max_magnitude}
    return None


def first_bad_parameter(items: Iterable[tuple[str, str]]) -> tuple[str, str] | None:
    """``(name, reason)`` of the first query or form parameter that breaks the text rule."""
    for name, value in items:
        problem = text_problem(name) or text_problem(value)
        if problem:
            return name.replace("\x00", ""), problem
    return None


_Node = tuple[Any, "str | int | None", Any, int]  # (parent node, key in the parent, value, depth)


def _path(node: _Node | None, key: str | int | None = None) -> str:
    """``a.b[2]``: the path of ``key`` in ``node`` (or of ``node`` itself), built only for a problem."""
    keys: list[str | int] = [] if key is None else [key]
    while node is not None and node[1] is not None:
        keys.append(node[1])
        node = node[0]
    path = ""
    for part in reversed(keys):
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            part = part.replace("\x00", "")
            path = f"{path}.{part}" if path else part
    return path or "non_field_errors"


def _scalar_problem(value: Any, max_magnitude: int | None) -> str | None:
    if isinstance(value, str):
        return text_problem(value)
    if isinstance(value, (int, float, NonFinite)) and not isinstance(value, bool):
        return number_problem(value, max_magnitude)
    return None


def json_problem(document: Any, max_magnitude: int | None = None) -> tuple[str, str] | None:
    """``(field path, reason)`` of the first part of a parsed JSON document that breaks a rule.

    Containers are walked iteratively (no recursion however deep the document); scalars are
    checked in place and paths are only spelled out for the part that is refused.
    """
    if not isinstance(document, (dict, list)):
        problem = _scalar_problem(document, max_magnitude)
        return ("non_field_errors", problem) if problem else None
    stack: list[_Node] = [(None, None, document, 1)]
    while stack:
        node = stack.pop()
        container, depth = node[2], node[3]
        if depth > MAX_DEPTH:
            return _path(node), _("Nested deeper than %(max)d levels.") % {"max": MAX_DEPTH}
        items = container.items() if isinstance(container, dict) else enumerate(container)
        for key, item in items:
            if isinstance(key, str) and "\x00" in key:
                return _path(node, key), text_problem(key) or ""
            if isinstance(item, (dict, list)):
                stack.append((node, key, item, depth + 1))
            elif problem := _scalar_problem(item, max_magnitude):
                return _path(node, key), problem
    return None
