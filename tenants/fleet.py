"""The fleet migrator: plan once, apply many.

Every commune schema records which tenant-app migrations it has (``Commune.applied_migrations``),
so one query over the registry groups the schemas that are behind by their state. For each group:

1. **Canary.** The first schema of the group is migrated the way Django's ``migrate`` does it
   (``MigrationExecutor``, pre/post-migrate signals), inside one transaction, while every DDL
   statement its schema editor executes is recorded per migration. Recording what really ran
   (instead of ``collect_sql``, which introspects a database the earlier statements never
   changed) gives exactly Django's SQL, constraint names found by introspection included.
2. **Replay.** Every other schema of the group gets, in one transaction of its own: ``SET LOCAL
   search_path``, a check that its ``django_migrations`` still match the group's state, the
   recorded statements of each SQL-only migration, Django's own ``Migration.apply`` for
   migrations that need Python (``RunPython``), the post-migrate signal only when the canary
   showed that it creates content types or permissions, the ``django_migrations`` rows and the
   registry update. A failure rolls back that schema only; it is reported and the others go on.
   Schemas are handed out in batches to a bounded pool of worker processes; each batch uses one
   database connection, closed afterwards, so no backend accumulates catalogue caches of
   thousands of schemas.

Groups whose plan contains a non-atomic migration, whose schemas have no ``django_migrations``
yet, or whose recorded SQL names the canary's schema take the slow path: django-tenants'
``migrate_schemas`` for each of their schemas. Introspection is limited to the schema being
migrated (``schema_local_recorder``): Django's recorder would otherwise list every relation of
the database (all of ``pg_class``) for each schema to find out whether ``django_migrations``
exists.

Because the registry row is updated in the schema's own transaction, the registry always says
which schemas are done: a run that crashed continues where it stopped.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal
from django.db import connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.migration import Migration
from django.db.migrations.operations import RunPython, SeparateDatabaseAndState
from django.db.migrations.operations.base import Operation
from django.db.migrations.recorder import MigrationRecorder
from django.db.migrations.state import ProjectState
from django.utils import timezone
from django_tenants.utils import get_public_schema_name

from tenants.db import connection
from tenants.migration_state import expected_tenant_migrations
from tenants.models import Commune
from tenants.placement import DEFAULT

FAST = "fast"
SLOW = "slow"


# --- Introspection limited to one schema --------------------------------------------------------


def _has_table_in_current_schema(recorder: Any) -> bool:
    """``MigrationRecorder.has_table`` as one indexed look-up in the first schema of the path."""
    if recorder._has_table:
        return True
    with recorder.connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relname = %s)",
            [recorder.Migration._meta.db_table],
        )
        recorder._has_table = bool(cursor.fetchone()[0])
    return bool(recorder._has_table)


@contextmanager
def schema_local_recorder() -> Iterator[None]:
    """Make Django's migration recorder look for its table in the current schema only."""
    original = MigrationRecorder.has_table
    MigrationRecorder.has_table = _has_table_in_current_schema  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        MigrationRecorder.has_table = original  # type: ignore[method-assign]


# --- The registry -------------------------------------------------------------------------------


@dataclass
class Group:
    """Schemas that are behind and share one state (their applied tenant-app migrations)."""

    applied: tuple[str, ...]
    schemas: list[str]


@dataclass(frozen=True)
class FleetState:
    behind: list[Group]
    up_to_date: int
    without_schema: int

    @property
    def behind_count(self) -> int:
        return sum(len(group.schemas) for group in self.behind)


def fleet_state(only: list[str] | None = None) -> FleetState:
    """Which schemas on the default server are behind the code, grouped by state: one query over the
    registry. Communes placed on other servers are migrated by ``migrate_locked`` one by one."""
    public = get_public_schema_name()
    table = Commune._meta.db_table
    scope = "AND c.schema_name = ANY(%(only)s)" if only is not None else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT n.oid IS NOT NULL AS has_schema, c.applied_migrations @> %(expected)s::varchar[] AS current,
                   c.applied_migrations, array_agg(c.schema_name ORDER BY c.schema_name)
            FROM "{public}"."{table}" c LEFT JOIN pg_namespace n ON n.nspname = c.schema_name
            WHERE c.schema_name <> %(public)s AND c.placement = %(default)s {scope}
            GROUP BY 1, 2, 3
            """,  # noqa: S608 - names from the settings and the model
            {"expected": expected_tenant_migrations(), "public": public, "only": only, "default": DEFAULT},
        )
        rows = cursor.fetchall()
    behind = [
        Group(tuple(applied), list(schemas))
        for has_schema, current, applied, schemas in rows
        if has_schema and not current
    ]
    behind.sort(key=lambda group: -len(group.schemas))
    return FleetState(
        behind=behind,
        up_to_date=sum(len(schemas) for has_schema, current, _a, schemas in rows if has_schema and current),
        without_schema=sum(len(schemas) for has_schema, _c, _a, schemas in rows if not has_schema),
    )


@dataclass(frozen=True)
class Outcome:
    schema_name: str
    error: str = ""


# --- Plans ---------------------------------------------------------------------------------------


def _needs_python(operation: Operation) -> bool:
    if isinstance(operation, SeparateDatabaseAndState):
        return any(_needs_python(inner) for inner in operation.database_operations)
    return isinstance(operation, RunPython) or not operation.reduces_to_sql


@dataclass
class Step:
    """One migration of a plan: its recorded SQL, or the state Django's path applies it from."""

    migration: Migration
    sql: list[str] = field(default_factory=list)
    python_state: ProjectState | None = None

    @property
    def label(self) -> str:
        return f"{self.migration.app_label}.{self.migration.name}"

    @property
    def kind(self) -> str:
        return "python" if self.python_state is not None else "sql"

    def recorded(self) -> list[tuple[str, str]]:
        """The ``django_migrations`` rows Django's executor writes for this migration."""
        return list(self.migration.replaces) or [(self.migration.app_label, self.migration.name)]


@dataclass
class GroupPlan:
    """How a group is migrated: ``FAST`` (the canary's recorded plan replayed) or ``SLOW``."""

    group: Group
    path: str
    reason: str = ""
    canary: str | None = None
    replay: list[str] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    post_migrate_apps: ProjectState | None = None


class _DryRun(Exception):
    """Rolls the canary back after its SQL was recorded."""


# A migration that failed on this many canaries in a row is not tried on the rest of the group.
CANARY_ATTEMPTS = 3


def _tenant_labels() -> set[str]:
    return {app.rsplit(".", 1)[-1] for app in settings.TENANT_APPS}


def _applied_here(cursor: Any) -> set[tuple[str, str]]:
    cursor.execute("SELECT app, name FROM django_migrations")
    return set(cursor.fetchall())


def _tenant_state(applied: set[tuple[str, str]]) -> tuple[str, ...]:
    labels = _tenant_labels()
    return tuple(sorted(f"{app}.{name}" for app, name in applied if app in labels))


def _counts(cursor: Any) -> tuple[int, int]:
    cursor.execute(
        f'SELECT (SELECT count(*) FROM "{ContentType._meta.db_table}"), '  # noqa: S608 - model tables
        f'(SELECT count(*) FROM "{Permission._meta.db_table}")'
    )
    row = cursor.fetchone()
    return row[0], row[1]


def _set_local_search_path(cursor: Any, schema_name: str) -> None:
    path = [connection.ops.quote_name(name) for name in (schema_name, get_public_schema_name())]
    cursor.execute(f"SET LOCAL search_path TO {', '.join(path)}")


def _record_registry(schema_name: str, applied: set[tuple[str, str]]) -> None:
    Commune.objects.filter(schema_name=schema_name).update(
        applied_migrations=list(_tenant_state(applied)), migrated_at=timezone.now()
    )


def _error(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}".strip()


def plan_group(group: Group, *, dry_run: bool = False) -> tuple[GroupPlan, list[Outcome]]:
    """Migrate a canary of the group like Django's ``migrate`` and record what it ran.

    Returns the plan and the canaries that failed (each rolled back). With ``dry_run`` the
    canary's transaction is rolled back: the plan and its SQL are exact, and nothing changed.
    """
    if not group.applied:
        return GroupPlan(group, SLOW, "no migrations recorded yet", replay=list(group.schemas)), []
    failures: list[Outcome] = []
    for position, canary in enumerate(group.schemas):
        plan = GroupPlan(group, FAST, canary=canary, replay=group.schemas[position + 1 :])
        try:
            _migrate_canary(plan, canary, dry_run=dry_run)
        except Exception as error:
            failures.append(Outcome(canary, _error(error)))
            if len(failures) == CANARY_ATTEMPTS:
                reason = f"not attempted: the plan failed on {CANARY_ATTEMPTS} schemas of this state first"
                failures += [Outcome(schema, reason) for schema in plan.replay]
                break
            continue
        if plan.path == SLOW and plan.canary is None:
            plan.replay = list(group.schemas)
        return plan, failures
    return GroupPlan(group, SLOW, "every canary failed"), failures


def _migrate_canary(plan: GroupPlan, canary: str, *, dry_run: bool) -> None:
    connection.set_schema(canary)
    ContentType.objects.clear_cache()
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                _set_local_search_path(cursor, canary)
                applied_before = _applied_here(cursor)
                if _tenant_state(applied_before) != plan.group.applied:
                    raise RuntimeError("its django_migrations do not match the registry; run again")
                counts_before = _counts(cursor)
            migrated = _run_canary(plan)
            if not migrated:
                plan.canary = None
                return
            with connection.cursor() as cursor:
                if _counts(cursor) == counts_before:
                    plan.post_migrate_apps = None
            if dry_run:
                raise _DryRun
            _record_registry(canary, applied_before | {row for step in plan.steps for row in step.recorded()})
    except _DryRun:
        pass
    finally:
        ContentType.objects.clear_cache()
        connection.set_schema_to_public()


def _run_canary(plan: GroupPlan) -> bool:
    """Migrate the current schema with Django's executor, recording its SQL; False if it must not."""
    steps: dict[str, Step] = {}
    current: list[str] = []

    def progress(action: str, migration: Migration | None = None, fake: bool | None = None, /) -> None:
        if action == "apply_start" and migration is not None:
            step = Step(migration)
            steps[step.label] = step
            current[:] = [step.label]

    def record(sql: str) -> None:
        if current:
            steps[current[0]].sql.append(sql)

    executor = MigrationExecutor(connection, progress_callback=progress)
    executor.loader.check_consistent_history(connection)
    targets = executor.loader.graph.leaf_nodes()
    migration_plan = executor.migration_plan(targets)
    if any(not migration.atomic for migration, _backwards in migration_plan):
        plan.path, plan.reason = SLOW, "a migration of the plan is not atomic"
        return False
    state = executor._create_project_state(with_applied_migrations=True)  # type: ignore[attr-defined]
    emit_pre_migrate_signal(0, False, connection.alias, apps=state.apps, plan=migration_plan)
    # The state each Python migration starts from, built the way Django's executor builds it.
    python_states: dict[str, ProjectState] = {}
    walking = state.clone()
    for migration, _backwards in migration_plan:
        if any(_needs_python(operation) for operation in migration.operations):
            python_states[f"{migration.app_label}.{migration.name}"] = walking.clone()
        migration.mutate_state(walking, preserve=False)

    connection.SchemaEditorClass = _recording_editor(connection.SchemaEditorClass, record)
    try:
        post_state = executor.migrate(targets, plan=migration_plan, state=state.clone())
    finally:
        del connection.SchemaEditorClass
    post_state.clear_delayed_apps_cache()
    emit_post_migrate_signal(0, False, connection.alias, apps=post_state.apps, plan=migration_plan)
    plan.post_migrate_apps = post_state
    for migration, _backwards in migration_plan:
        label = f"{migration.app_label}.{migration.name}"
        step = steps.get(label, Step(migration))
        if label in python_states:
            step.python_state = python_states[label]
            step.python_state.apps  # noqa: B018 - rendered once here, cloned per schema
        plan.steps.append(step)
    for step in plan.steps:
        if any(f'"{plan.canary}".' in sql or f"{plan.canary}." in sql for sql in step.sql):
            # Replaying it elsewhere would change the canary again: the others go Django's way.
            plan.path, plan.reason = SLOW, f"the SQL of {step.label} names the schema {plan.canary}"
    return True


def _recording_editor(base: type, sink: Callable[[str], None]) -> type:
    class RecordingSchemaEditor(base):  # type: ignore[valid-type,misc]
        def execute(self, sql: Any, params: Any = ()) -> None:
            statement = str(sql) if params is None else self.connection.ops.compose_sql(str(sql), params)
            sink(statement)
            super().execute(statement, None)

    return RecordingSchemaEditor


# --- Applying a plan to one schema ---------------------------------------------------------------


def apply_plan(plan: GroupPlan, schema_name: str) -> None:
    """Replay ``plan`` on ``schema_name`` in one transaction (raises on failure, nothing kept)."""
    connection.set_schema(schema_name)
    ContentType.objects.clear_cache()
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                _set_local_search_path(cursor, schema_name)
                applied = _applied_here(cursor)
                if _tenant_state(applied) != plan.group.applied:
                    raise RuntimeError("its django_migrations no longer match the registry; run again")
                for step in plan.steps:
                    if step.python_state is None:
                        for statement in step.sql:
                            cursor.execute(statement)
                        continue
                    with connection.schema_editor(atomic=step.migration.atomic) as editor:
                        step.migration.apply(step.python_state.clone(), editor)
                if plan.post_migrate_apps is not None:
                    emit_post_migrate_signal(
                        0,
                        False,
                        connection.alias,
                        apps=plan.post_migrate_apps.apps,
                        plan=[(s.migration, False) for s in plan.steps],
                    )
                rows = [row for step in plan.steps for row in step.recorded() if row not in applied]
                now = timezone.now()
                cursor.executemany(
                    "INSERT INTO django_migrations (app, name, applied) VALUES (%s, %s, %s)",
                    [(app, name, now) for app, name in rows],
                )
            _record_registry(schema_name, applied | set(rows))
    finally:
        ContentType.objects.clear_cache()
        connection.set_schema_to_public()


def migrate_slowly(schema_name: str) -> None:
    """django-tenants' ``migrate_schemas`` for one schema (its signal updates the registry)."""
    call_command("migrate_schemas", tenant=True, schema_name=schema_name, interactive=False, verbosity=0)
    connection.set_schema_to_public()


def _run_batch(task: tuple[int, list[str]]) -> list[Outcome]:
    index, schemas = task
    plan = _PLANS[index]
    fast = plan.path == FAST and plan.canary is not None
    outcomes = []
    try:
        with schema_local_recorder():
            for schema_name in schemas:
                try:
                    if fast:
                        apply_plan(plan, schema_name)
                    else:
                        migrate_slowly(schema_name)
                except Exception as error:
                    connection.set_schema_to_public()
                    outcomes.append(Outcome(schema_name, _error(error)))
                else:
                    outcomes.append(Outcome(schema_name))
    finally:
        # One connection per batch: its backend's catalogue cache never grows past one batch.
        connections.close_all()
    return outcomes


# Set before the worker processes are forked, so each inherits the plans (and rendered states).
_PLANS: list[GroupPlan] = []


def apply_plans(
    plans: list[GroupPlan], *, workers: int, batch_size: int, report: Callable[[list[Outcome]], None]
) -> None:
    """Hand every schema left to migrate to ``workers`` processes, ``batch_size`` per connection."""
    _PLANS[:] = plans
    tasks = [
        (index, plan.replay[start : start + batch_size])
        for index, plan in enumerate(plans)
        for start in range(0, len(plan.replay), batch_size)
    ]
    if workers == 1 or len(tasks) <= 1:
        for task in tasks:
            report(_run_batch(task))
        return
    connections.close_all()  # never share a database connection with forked children
    with multiprocessing.get_context("fork").Pool(processes=min(workers, len(tasks))) as pool:
        for outcomes in pool.imap_unordered(_run_batch, tasks):
            report(outcomes)


class Progress:
    """``migrated 120/1000 (12%), 1 failed, 35.2 schemas/s, ETA 0:00:25`` on stderr."""

    def __init__(self, total: int, write: Callable[[str], None]) -> None:
        self.total = total
        self.done = 0
        self.failed: list[Outcome] = []
        self.started = time.monotonic()
        self.write = write

    def __call__(self, outcomes: list[Outcome]) -> None:
        self.done += len(outcomes)
        self.failed += [outcome for outcome in outcomes if outcome.error]
        elapsed = time.monotonic() - self.started
        rate = self.done / elapsed if elapsed else 0.0
        remaining = int((self.total - self.done) / rate) if rate else 0
        eta = f"{remaining // 3600}:{remaining // 60 % 60:02d}:{remaining % 60:02d}"
        share = 100 * self.done // self.total if self.total else 100
        self.write(
            f"migrated {self.done}/{self.total} ({share}%), {len(self.failed)} failed, {rate:.1f} schemas/s, ETA {eta}"
        )
