"""Log records that say which commune and which request they belong to."""

from __future__ import annotations

import logging
from contextvars import ContextVar

from django.db import connection

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")


class TenantContextFilter(logging.Filter):
    """Add ``schema_name`` and ``request_id`` to every record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.schema_name = getattr(connection, "schema_name", None) or "-"
        record.request_id = request_id_var.get()
        return True
