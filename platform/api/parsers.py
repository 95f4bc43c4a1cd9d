"""The API's one input guard: JSON bodies within size and depth, without NUL or non-finite numbers.

Every endpoint parses with ``GuardedJSONParser`` (``DEFAULT_PARSER_CLASSES``). A body larger
than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is a 413; malformed or too deeply nested JSON is a 400
``parse-error``; a NUL character or ``NaN``/``Infinity``/``1e999`` is a 400
``validation-error`` naming the field (see ``kommunal.input_guard``). Nothing reaches a view, so
nothing is stored.
"""

from __future__ import annotations

import json
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser

from kommunal import input_guard


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request-too-large"


def too_large_detail() -> str:
    return _("The request body is larger than %(max)d bytes.") % {"max": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}


class GuardedJSONParser(JSONParser):
    """``application/json`` with the rules of ``kommunal.input_guard``."""

    def parse(self, stream: IO[bytes], media_type: str | None = None, parser_context: Any = None) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1)
        if len(raw) > limit:
            raise RequestTooLarge(too_large_detail())
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            document = json.loads(raw.decode(encoding), parse_constant=lambda _name: input_guard.NonFinite())
        except RecursionError:
            raise exceptions.ParseError(
                _("JSON parse error - nested deeper than %(max)d levels.") % {"max": input_guard.MAX_DEPTH}
            ) from None
        except ValueError as error:  # UnicodeDecodeError and JSONDecodeError included
            raise exceptions.ParseError(_("JSON parse error - %(error)s") % {"error": error}) from None
        problem = input_guard.json_problem(document)
        if problem is not None:
            field, message = problem
            raise exceptions.ValidationError({field: [message]})
        return document
