"""Django's default connection, typed as the schema-aware django-tenants backend it is, and
commit hooks that stay in the schema they were registered in."""

from collections.abc import Callable
from typing import cast

from django.db import connection as default_connection
from django.db import transaction
from django_tenants.postgresql_backend.base import DatabaseWrapper
from django_tenants.utils import tenant_context

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
