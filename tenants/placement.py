"""Which PostgreSQL server holds a commune's schema, and how its queries get there.

``DATABASES["default"]`` holds the public schema (registry, catalogue, billing, audit) and the
schemas of the communes placed there; each further alias (``KOMMUNAL_PLACEMENT_DATABASES``) is one
more server for commune schemas. ``Commune.placement`` names the alias of a commune's server.

- django-tenants keeps the active commune on the default connection (middleware,
  ``tenant_context``). :class:`PlacementRouter` sends the models of the tenant apps to the
  active commune's server and gives that server's connection the same tenant first, so its
  ``search_path`` is the commune's schema; the shared-only models stay on ``default``.
- ``transaction.atomic()`` without ``using`` opens a transaction on ``default`` only.
  :func:`install_atomic_follower` makes such a block also open one on the active commune's
  server (committed just before ``default``'s), so the services of the tenant apps keep their
  atomicity and ``select_for_update()`` without naming a database.
- Tenant tables join the catalogue (``Activation.service`` and friends, no database constraint):
  every placement server keeps a copy of the catalogue tables in its public schema
  (:func:`mirror_shared_tables`), refreshed after every catalogue change.
- Every server has its own template schema to clone new communes from (:func:`sync_server`).

docs/placement.md describes the operation (adding a server, moving a commune, limits).
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models import Count
from django_tenants.postgresql_backend.base import DatabaseWrapper
from django_tenants.utils import get_public_schema_name

if TYPE_CHECKING:
    from tenants.models import Commune

logger = logging.getLogger(__name__)

DEFAULT = DEFAULT_DB_ALIAS


def aliases() -> list[str]:
    """Every server a commune can be placed on, ``default`` first."""
    return [DEFAULT, *sorted(alias for alias in settings.DATABASES if alias != DEFAULT)]


def validate_alias(alias: str) -> str:
    """Return ``alias`` when it names a configured server; else raise with a sentence."""
    if alias not in settings.DATABASES:
        raise ValidationError(
            f"There is no database server {alias!r}; configured are: {', '.join(aliases())} "
            "(KOMMUNAL_PLACEMENT_DATABASES)."
        )
    return alias


def connection_to(alias: str) -> DatabaseWrapper:
    """The schema-aware connection of server ``alias``."""
    connection: DatabaseWrapper = connections[alias]
    return connection


def active_alias() -> str:
    """The server of the commune the default connection is routed to (``default`` on public)."""
    tenant = getattr(connections[DEFAULT], "tenant", None)
    if tenant is None or tenant.schema_name == get_public_schema_name():
        return DEFAULT
    return getattr(tenant, "placement", DEFAULT) or DEFAULT


def tenant_connection() -> DatabaseWrapper:
    """The connection to the active commune's server, with its ``search_path`` on the commune.

    For raw SQL in tenant code; the ORM gets the same through :class:`PlacementRouter`.
    """
    default_connection = connection_to(DEFAULT)
    alias = active_alias()
    if alias == DEFAULT:
        return default_connection
    placed = connection_to(alias)
    if getattr(placed, "tenant", None) is not default_connection.tenant:
        placed.set_tenant(default_connection.tenant)
    return placed


def emptiest_alias(excluding: Commune | None = None) -> str:
    """The server holding the fewest communes by the registry (ties: ``default`` first)."""
    from tenants.models import Commune

    communes = Commune.objects.using(DEFAULT).exclude(status=Commune.Status.OFFBOARDED)
    if excluding is not None:
        communes = communes.exclude(pk=excluding.pk)
    counts = dict(communes.values("placement").annotate(n=Count("pk")).values_list("placement", "n"))
    return min(aliases(), key=lambda alias: counts.get(alias, 0))


@lru_cache(maxsize=1)
def tenant_app_labels() -> frozenset[str]:
    """Labels of the apps whose tables live in every commune schema."""
    entries = set(settings.TENANT_APPS)
    return frozenset(
        config.label
        for config in apps.get_app_configs()
        if config.name in entries or f"{type(config).__module__}.{type(config).__name__}" in entries
    )


class PlacementRouter:
    """Send the tenant apps' queries of a commune placed on another server to that server."""

    def _route(self, model: type[models.Model]) -> str | None:
        alias = active_alias()
        if alias == DEFAULT:
            return None
        if model._meta.app_label not in tenant_app_labels():
            return DEFAULT
        tenant_connection()
        return alias

    def db_for_read(self, model: type[models.Model], **hints: Any) -> str | None:
        return self._route(model)

    def db_for_write(self, model: type[models.Model], **hints: Any) -> str | None:
        return self._route(model)

    def allow_relation(self, obj1: models.Model, obj2: models.Model, **hints: Any) -> bool | None:
        # A tenant row on the commune's server may point at a catalogue row on default (the
        # references carry no database constraint); nothing else crosses servers.
        alias = active_alias()
        if alias != DEFAULT and {obj1._state.db, obj2._state.db} <= {DEFAULT, alias}:
            return True
        return None


# --- transaction.atomic() on the commune's server ------------------------------------------------


def install_atomic_follower() -> None:
    """Make ``transaction.atomic()`` on ``default`` also span the active commune's server.

    Installed at start-up only when a second server is configured: with one server every atomic
    block stays Django's own, without the look-up of the active commune's server.
    """
    atomic = transaction.Atomic
    if getattr(atomic, "_kommunal_follower", False):
        return
    enter, exit_ = atomic.__enter__, atomic.__exit__

    def __enter__(self: transaction.Atomic) -> None:
        enter(self)
        if self.using in (None, DEFAULT):
            alias = active_alias()
            follower = None
            if alias != DEFAULT:
                follower = transaction.Atomic(alias, self.savepoint, self.durable)  # type: ignore[attr-defined]
                follower.__enter__()
            _followers().append(follower)

    def __exit__(self: transaction.Atomic, exc_type: Any, exc_value: Any, traceback: Any) -> None:
        if self.using in (None, DEFAULT):
            follower = _followers().pop()
            if follower is not None:
                try:
                    follower.__exit__(exc_type, exc_value, traceback)
                except BaseException as error:
                    exit_(self, type(error), error, error.__traceback__)
                    raise
        exit_(self, exc_type, exc_value, traceback)

    atomic.__enter__ = __enter__  # type: ignore[method-assign]
    atomic.__exit__ = __exit__  # type: ignore[method-assign,assignment]
    atomic._kommunal_follower = True  # type: ignore[attr-defined]


def _followers() -> list[transaction.Atomic | None]:
    connection = connections[DEFAULT]
    stack: list[transaction.Atomic | None] | None = getattr(connection, "_placement_followers", None)
    if stack is None:
        stack = connection._placement_followers = []  # type: ignore[attr-defined]
    return stack


# --- the catalogue copy on every placement server ------------------------------------------------


def mirrored_models() -> list[type[models.Model]]:
    """Shared-only models the tenant tables refer to (and theirs), referenced ones first."""
    tenant_labels = tenant_app_labels()
    found: list[type[models.Model]] = []

    def visit(model: type[models.Model]) -> None:
        if model in found or model._meta.app_label in tenant_labels:
            return
        for field in model._meta.local_concrete_fields:
            if field.related_model is not None and field.related_model is not model:
                visit(field.related_model)
        found.append(model)

    for model in apps.get_models():
        if model._meta.app_label in tenant_labels:
            for field in model._meta.local_concrete_fields:
                if field.related_model is not None and field.related_model._meta.app_label not in tenant_labels:
                    visit(field.related_model)
    return found


def mirror_shared_tables(alias: str) -> None:
    """Replace the catalogue copy in ``alias``'s public schema with default's (one transaction)."""
    source, target = connection_to(DEFAULT), connection_to(alias)
    target.set_schema_to_public()
    mirrored = mirrored_models()
    with transaction.atomic(using=alias):
        with target.cursor() as cursor:
            for model in reversed(mirrored):
                cursor.execute(f'DROP TABLE IF EXISTS public."{model._meta.db_table}" CASCADE')
        with target.schema_editor(atomic=False) as editor:
            for model in mirrored:
                editor.create_model(model)
        with source.cursor() as out_cursor, target.cursor() as in_cursor:
            for model in mirrored:
                columns = ", ".join(f'"{field.column}"' for field in model._meta.local_concrete_fields)
                table = f'public."{model._meta.db_table}"'
                with (
                    out_cursor.cursor.copy(f"COPY {table} ({columns}) TO STDOUT") as rows_out,
                    in_cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as rows_in,
                ):
                    for data in rows_out:
                        rows_in.write(data)


def mirror_to_every_server(**_kwargs: Any) -> None:
    """After a catalogue change commits, refresh the copy on every placement server (once)."""
    if len(settings.DATABASES) == 1:
        return
    pending = connections[DEFAULT].run_on_commit
    if not any(entry[1] is _mirror_all for entry in pending):
        transaction.on_commit(_mirror_all, using=DEFAULT)


def _mirror_all() -> None:
    for alias in aliases()[1:]:
        mirror_shared_tables(alias)


def connect_mirror_signals() -> None:
    for model in mirrored_models():
        for signal in (models.signals.post_save, models.signals.post_delete):
            signal.connect(mirror_to_every_server, sender=model, dispatch_uid=f"placement.mirror.{model._meta.label}")


# --- template schema and whole-schema copies ------------------------------------------------------


def sync_server(alias: str) -> None:
    """Make ``alias`` ready for communes: its catalogue copy and a current template schema."""
    from tenants import template
    from tenants.migration_state import schema_fingerprint

    validate_alias(alias)
    if alias == DEFAULT:
        template.refresh_template()
        return
    mirror_shared_tables(alias)
    # After the refresh: the template's migrations may be what creates an extension (btree_gist).
    template.refresh_template()
    install_extensions(alias)
    fingerprint = schema_fingerprint(template.TEMPLATE_SCHEMA, using=alias)
    if fingerprint != schema_fingerprint(template.TEMPLATE_SCHEMA, using=DEFAULT):
        copy_schema(template.TEMPLATE_SCHEMA, source=DEFAULT, target=alias, replace=True)
        logger.info("template schema copied to %s", alias)


def install_extensions(alias: str) -> None:
    """Install on ``alias`` the extensions default has in the public schema (e.g. ``btree_gist``
    for the appointments' exclusion constraint): a schema copy does not carry them."""
    with connection_to(DEFAULT).cursor() as cursor:
        cursor.execute(
            "SELECT e.extname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE n.nspname = %s AND e.extname <> 'plpgsql'",
            [get_public_schema_name()],
        )
        names = [row[0] for row in cursor.fetchall()]
    with connection_to(alias).cursor() as cursor:
        for name in names:
            quoted = connection_to(alias).ops.quote_name(name)
            cursor.execute(f"CREATE EXTENSION IF NOT EXISTS {quoted} WITH SCHEMA public")


def schema_exists_on(alias: str, schema_name: str) -> bool:
    with connection_to(alias).cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = %s)", [schema_name])
        return bool(cursor.fetchone()[0])


def schemas_on(alias: str, schema_names: list[str]) -> set[str]:
    """Which of ``schema_names`` exist on server ``alias`` (one query)."""
    with connection_to(alias).cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname = ANY(%s)", [schema_names])
        return {row[0] for row in cursor.fetchall()}


def drop_schema_on(alias: str, schema_name: str) -> None:
    with connection_to(alias).cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{schema_name}" CASCADE')


def copy_schema(schema_name: str, *, source: str, target: str, replace: bool = False) -> None:
    """Copy one schema with ``pg_dump`` into ``target`` in one transaction (all or nothing).

    With ``replace`` an existing schema of that name on ``target`` is dropped in the same
    transaction. Raises :class:`SchemaCopyError` with pg_dump's or psql's message on failure.
    """
    dump = _run(["pg_dump", "--no-owner", "--no-privileges", "-n", schema_name], source)
    prologue = f'DROP SCHEMA IF EXISTS "{schema_name}" CASCADE;\n' if replace else ""
    _run(["psql", "--single-transaction", "-v", "ON_ERROR_STOP=1", "-q", "-X"], target, stdin=prologue + dump)


class SchemaCopyError(RuntimeError):
    """pg_dump or psql failed; the message says which and why."""


def _run(command: list[str], alias: str, stdin: str | None = None) -> str:
    executable = shutil.which(command[0])
    if executable is None:
        raise SchemaCopyError(f"{command[0]} is not installed on this machine.")
    result = subprocess.run(  # noqa: S603 - fixed executables, arguments from the registry
        [executable, *command[1:]],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, **_libpq_environment(alias)},
        check=False,
    )
    if result.returncode != 0:
        raise SchemaCopyError(f"{command[0]} on {alias} failed: {result.stderr.strip() or result.returncode}")
    return result.stdout


def _libpq_environment(alias: str) -> dict[str, str]:
    # The parameters Django's own connection uses (a socket directory in OPTIONS included); the
    # password goes through the environment, never onto a command line.
    params = connection_to(alias).get_connection_params()
    names = {"host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "password": "PGPASSWORD", "dbname": "PGDATABASE"}
    names |= {"sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT"}
    return {variable: str(params[key]) for key, variable in names.items() if params.get(key)}


# --- moving a commune to another server -----------------------------------------------------------


def move_commune(commune: Commune, target: str, *, actor: str) -> None:
    """Move ``commune``'s schema to server ``target`` under the suspended state.

    Suspend (an active commune) → ``pg_dump`` of its schema → restore on ``target`` in one
    transaction → flip ``placement`` → drop the old copy → resume. Bad input raises
    ``ValidationError`` before anything changes; a failure before the flip removes what reached
    ``target`` and leaves the commune on its old server in its old status.
    """
    from audit import services as audit
    from tenants import actions
    from tenants.models import Commune

    validate_alias(target)
    source, schema_name = commune.placement, commune.schema_name
    if commune.status not in (Commune.Status.ACTIVE, Commune.Status.SUSPENDED):
        raise ValidationError(f"{commune.slug} is {commune.status}; only active or suspended communes can be moved.")
    if target == source:
        raise ValidationError(f"{commune.slug} is already on {target}.")
    if not schema_exists_on(source, schema_name):
        raise ValidationError(f"The schema {schema_name} of {commune.slug} is missing on {source}; nothing to move.")
    if schema_exists_on(target, schema_name):
        raise ValidationError(
            f"{target} already has a schema {schema_name} (left by an earlier move?); drop it there first."
        )
    was_active = commune.status == Commune.Status.ACTIVE
    if was_active:
        actions.suspend_commune(commune, actor=actor, reason=f"moving from database server {source} to {target}")
    try:
        sync_server(target)
        copy_schema(schema_name, source=source, target=target)
        with transaction.atomic(using=DEFAULT):
            Commune.objects.using(DEFAULT).filter(pk=commune.pk).update(placement=target)
            audit.record(
                "commune.moved", actor=actor, commune=commune, target=commune.slug, source=source, destination=target
            )
    except BaseException:
        _undo_copy(target, schema_name)
        if was_active:
            actions.reactivate_commune(commune, actor=actor, reason=f"move to {target} failed")
        raise
    commune.placement = target
    drop_schema_on(source, schema_name)
    if was_active:
        actions.reactivate_commune(commune, actor=actor, reason=f"moved to database server {target}")


def _undo_copy(target: str, schema_name: str) -> None:
    try:
        drop_schema_on(target, schema_name)
    except Exception:
        logger.exception("could not remove the partial copy of %s on %s; drop it by hand", schema_name, target)
