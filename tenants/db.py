"""Django's default connection, typed as the schema-aware backend it is, and
commit hooks that stay in the schema they were registered in."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, cast

from django.db import connection as default_connection
from django.db import transaction
from django_tenants.utils import tenant_context

from kommunal.postgresql_backend.base import DatabaseWrapper

connection = cast(DatabaseWrapper, default_connection)


def on_commit_in_current_schema(callback: Callable[[], object]) -> None:
    """Run ``callback`` once the transaction commits, routed to the schema that is active now.

    A plain ``transaction.on_commit`` runs wherever the connection happens to point at commit
    time, which is the public schema when the change was made inside ``tenant_context``. The
    callback is robust: what follows a commit (e-mail, events) never turns the saved change into
    an error for the caller; its failure is logged.
    """
    tenant = connection.tenant

    def run() -> None:
        with tenant_context(tenant):
            callback()

    transaction.on_commit(run, robust=True)


@contextmanager
def local_search_path(cursor: Any, schema_name: str) -> Iterator[None]:
    """``SET LOCAL search_path`` to ``schema_name`` for the block, then the previous path again.

    Inside an enclosing transaction a ``SET LOCAL`` outlives a savepoint, while the connection
    believes it still has the path it set last (``TENANT_LIMIT_SET_CALLS``): put it back.
    """
    cursor.execute("SELECT current_setting('search_path')")
    previous = cursor.fetchone()[0]
    cursor.execute(f'SET LOCAL search_path TO "{schema_name}"')
    yield
    cursor.execute("SELECT set_config('search_path', %s, true)", [previous])
