"""/health/ tells whether the database answers and every schema is migrated."""

import pytest
from django.core.management import call_command
from django.db import connection

from tenants import actions
from tenants.models import Commune
from tests.helpers import host_client

pytestmark = pytest.mark.django_db


def test_health_is_ok_on_platform_and_commune_hosts(communes, platform_client, zeitz_client) -> None:
    for client in (platform_client, zeitz_client):
        response = client.get("/health/")
        assert response.status_code == 200
        assert response.json()["migrations"] == {"up_to_date": True, "schemas_behind": 0}


def test_health_reports_an_unmigrated_schema_until_it_is_migrated(communes, platform_client) -> None:
    commune = actions.register_commune(ags="12071372", slug="spremberg", actor="test")
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA spremberg")
    actions.transition(commune, Commune.Status.PROVISIONING, actor="test")
    actions.transition(commune, Commune.Status.ACTIVE, actor="test")

    response = platform_client.get("/health/")
    assert response.status_code == 503
    assert response.json()["migrations"]["schemas_behind"] == 1

    call_command("migrate_schemas", schema_name="spremberg", interactive=False, verbosity=0)
    assert platform_client.get("/health/").status_code == 200


def test_processes_of_the_previous_release_stay_healthy_after_a_newer_migration(communes, platform_client) -> None:
    # A deploy migrates before it replaces the web processes: the schemas then have a migration
    # the old code does not know, and the old processes must keep answering 200.
    Commune.objects.filter(pk=communes.zeitz.pk).update(
        applied_migrations=[*communes.zeitz.applied_migrations, "accounts.9999_from_the_next_release"]
    )
    assert platform_client.get("/health/").status_code == 200


def test_health_answers_on_any_host_as_a_load_balancer_asks(communes) -> None:
    response = host_client().get("/health/", HTTP_HOST="10.0.3.17:8000")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_health_does_not_name_other_communes(communes, zeitz_client) -> None:
    body = zeitz_client.get("/health/").content.decode()
    assert "borna" not in body.lower()


def test_health_stays_reachable_while_a_commune_is_suspended(communes) -> None:
    actions.suspend_commune(communes.borna, actor="test", reason="Wartung")
    assert host_client(communes.borna).get("/health/").status_code == 200
