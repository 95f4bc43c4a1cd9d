"""Provisioning: fast clones of the template, no leftovers after a failure, resumable after a kill."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tenants.utils import schema_exists, tenant_context

from accounts.models import User
from billing.models import BillingAccount, PendingSync
from signup import actions, provisioning
from signup.models import Application
from tenants import reconcile, template
from tenants.db import connection
from tenants.migration_state import expected_tenant_migrations
from tenants.models import Commune, Domain
from tenants.provisioning import CLONE, MIGRATE, ensure_schema
from tests.signup.helpers import submit

pytestmark = pytest.mark.django_db

STEPS = [name for name, _step in provisioning.steps()]


class Boom(Exception):
    pass


class Killed(BaseException):
    """Stands for the worker being killed: no ``except Exception`` runs."""


@pytest.fixture
def verified(communes, template_schema) -> Application:
    application = submit()
    Application.objects.filter(pk=application.pk).update(email_verified_at=timezone.now())
    application.refresh_from_db()
    return application


def approve(application: Application, capture) -> Application:  # type: ignore[no-untyped-def]
    with capture(execute=True):
        actions.approve_application(application, actor="operator:test")
    application.refresh_from_db()
    return application


def assert_nothing_left(schema_name: str = "leipzig") -> None:
    assert not schema_exists(schema_name)
    assert not Commune.objects.filter(ags="14713000").exists()
    assert not Domain.objects.filter(domain__startswith="leipzig.").exists()


@pytest.mark.parametrize("failing_step", STEPS)
def test_a_failing_step_leaves_nothing_behind_and_a_retry_completes(
    failing_step, verified, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    def fail(application: Application) -> None:
        raise Boom(f"injected failure in {failing_step}")

    monkeypatch.setattr(provisioning, f"step_{failing_step}", fail)
    application = approve(verified, django_capture_on_commit_callbacks)
    assert application.status == Application.Status.FAILED
    assert application.provisioning_error.startswith(f"{failing_step}: Boom")
    assert_nothing_left()

    monkeypatch.undo()
    application = approve(application, django_capture_on_commit_callbacks)
    assert application.status == Application.Status.ACTIVE
    assert Commune.objects.get(ags="14713000").status == Commune.Status.ACTIVE


@pytest.mark.parametrize("killed_after", ["schema", "admin", "welcome_mail"])
def test_provisioning_killed_midway_completes_when_run_again(
    killed_after, verified, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    following = STEPS[STEPS.index(killed_after) + 1]

    def die(application: Application) -> None:
        raise Killed

    monkeypatch.setattr(provisioning, f"step_{following}", die)
    with pytest.raises(Killed):
        approve(verified, django_capture_on_commit_callbacks)
    connection.set_schema_to_public()
    monkeypatch.undo()
    application = provisioning.run(str(verified.pk))
    assert application.status == Application.Status.ACTIVE
    commune = Commune.objects.get(ags="14713000")
    assert commune.status == Commune.Status.ACTIVE
    assert set(expected_tenant_migrations()) <= set(commune.applied_migrations)
    with tenant_context(commune):
        assert User.objects.filter(email="amt@leipzig.de").count() == 1


def test_reconcile_resumes_a_stuck_commune_and_removes_orphans(
    verified, monkeypatch, django_capture_on_commit_callbacks, capsys
) -> None:
    def die(application: Application) -> None:
        raise Killed

    monkeypatch.setattr(provisioning, "step_domain", die)
    with pytest.raises(Killed):
        approve(verified, django_capture_on_commit_callbacks)
    monkeypatch.undo()
    connection.set_schema_to_public()
    Commune.objects.filter(ags="14713000").update(status_changed_at=timezone.now() - timedelta(hours=1))
    with connection.cursor() as cursor:  # a schema left by some earlier crash
        cursor.execute("CREATE SCHEMA orphan_x; CREATE TABLE orphan_x.django_migrations (id int)")
    ghost = Commune.objects.create(
        name="Freital", ags="14628110", slug="freital", schema_name="freital", status=Commune.Status.ACTIVE
    )  # its schema was never made
    ghost_host = Domain.objects.create(domain="ghost.localhost", tenant=ghost, verified_at=timezone.now())

    call_command("reconcile_tenants", "--dry-run")
    listed = capsys.readouterr().out
    assert "schema without commune: orphan_x" in listed
    assert "stuck in provisioning: leipzig" in listed
    assert "host without schema: ghost.localhost" in listed
    assert schema_exists("orphan_x")  # dry run changes nothing

    call_command("reconcile_tenants")
    assert not schema_exists("orphan_x")
    assert schema_exists("zeitz")
    assert schema_exists("borna")
    assert not Domain.objects.filter(pk=ghost_host.pk).exists()
    assert Commune.objects.get(ags="14713000").status == Commune.Status.ACTIVE
    assert reconcile.find_leftovers(timedelta(0)).orphan_schemas == []


def test_clone_has_the_same_tables_constraints_and_indexes_as_a_migrated_schema(communes, template_schema) -> None:
    commune = Commune(schema_name="clone_check", slug="clone-check", ags="14713000")
    assert ensure_schema(commune, method=CLONE) == CLONE

    def catalogue(schema: str) -> set[tuple[str, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT 'column', table_name, column_name, data_type, is_nullable, coalesce(identity_generation, '')
                FROM information_schema.columns WHERE table_schema = %(s)s
                UNION ALL SELECT 'constraint', cl.relname, co.conname,
                    replace(pg_get_constraintdef(co.oid), %(s)s || '.', ''), '', ''
                FROM pg_constraint co JOIN pg_class cl ON cl.oid = co.conrelid
                JOIN pg_namespace n ON n.oid = cl.relnamespace WHERE n.nspname = %(s)s
                UNION ALL SELECT 'index', tablename, indexname, replace(indexdef, %(s)s || '.', ''), '', ''
                FROM pg_indexes WHERE schemaname = %(s)s
                """,
                {"s": schema},
            )
            return {tuple(row) for row in cursor.fetchall()}

    # Zeitz was created by running the migrations (the fixture has no template).
    assert catalogue("clone_check") == catalogue("zeitz")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM clone_check.django_migrations")
        cloned = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM zeitz.django_migrations")
        assert cloned == cursor.fetchone()[0]
    with tenant_context(commune):  # identity sequences continue after the copied rows
        User.objects.create_user("x@clone.example", "x" * 16, full_name="X")


def test_stale_template_falls_back_to_migrations(communes, template_schema) -> None:
    # The template misses the code's latest accounts migration, as after a deploy with a new one.
    latest = next(name for name in expected_tenant_migrations() if name.startswith("accounts."))
    with connection.cursor() as cursor:
        cursor.execute(
            f'DELETE FROM "{template.TEMPLATE_SCHEMA}".django_migrations WHERE app = %s AND name = %s',  # noqa: S608 (constant schema name)
            latest.split(".", 1),
        )
    assert not template.template_is_current()
    commune = Commune(schema_name="migrated_check", slug="migrated-check", ags="14713000")
    assert ensure_schema(commune, method=CLONE) == MIGRATE
    assert schema_exists("migrated_check")


def test_template_is_refreshed_only_when_stale(template_schema) -> None:
    assert template.template_is_current()
    assert template.refresh_template() is False


def test_without_billing_provisioning_creates_no_billing_account(verified, django_capture_on_commit_callbacks) -> None:
    approve(verified, django_capture_on_commit_callbacks)
    assert not BillingAccount.objects.filter(commune__ags="14713000").exists()


def test_billing_contact_of_the_application_is_kept_even_while_stripe_is_down(
    verified, settings, django_capture_on_commit_callbacks
) -> None:
    settings.STRIPE_API_KEY = "sk_test_kommunal"
    with socket.socket() as sock:  # a port nobody listens on: Stripe is "down"
        sock.bind(("127.0.0.1", 0))
        settings.STRIPE_API_BASE = f"http://127.0.0.1:{sock.getsockname()[1]}"
    Application.objects.filter(pk=verified.pk).update(leitweg_id="04011000-1234512345-06", invoice_city="Leipzig")
    verified.refresh_from_db()
    approve(verified, django_capture_on_commit_callbacks)
    assert Application.objects.get(pk=verified.pk).status == Application.Status.ACTIVE
    account = BillingAccount.objects.get(commune__ags="14713000")
    assert (account.leitweg_id, account.city) == ("04011000-1234512345-06", "Leipzig")
    assert PendingSync.objects.filter(commune=account.commune).exists()


@pytest.mark.django_db(transaction=True)
def test_a_second_worker_leaves_a_running_provisioning_alone(communes, template_schema, monkeypatch) -> None:
    import threading

    from django.db import connections

    application = submit()
    Application.objects.filter(pk=application.pk).update(status=Application.Status.PROVISIONING)
    entered, release = threading.Event(), threading.Event()
    original = provisioning.step_commune

    def slow_first_step(app: Application) -> None:
        entered.set()
        release.wait(10)
        original(app)

    monkeypatch.setattr(provisioning, "step_commune", slow_first_step)
    try:

        def first_worker() -> None:
            try:
                provisioning.run(str(application.pk))
            finally:
                connections.close_all()

        worker = threading.Thread(target=first_worker)
        worker.start()
        assert entered.wait(10)
        second = provisioning.run(str(application.pk))  # returns at once: the first one holds the lock
        assert second.status == Application.Status.PROVISIONING
        assert second.steps_done == []
        release.set()
        worker.join()
        application.refresh_from_db()
        assert application.status == Application.Status.ACTIVE
        assert schema_exists("leipzig")
    finally:
        release.set()
        with connection.cursor() as cursor:  # committed for real: the next tests must not find it
            cursor.execute("DROP SCHEMA IF EXISTS leipzig CASCADE")
