"""Tenant figures from one statement per batch of schemas; the append-only audit log and its exports."""

import csv
import io

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from activations.services import activate_service
from audit import services as audit
from audit.models import AuditEvent
from operators.models import Role, ServiceUsage, TenantStats
from operators.stats import refresh_tenant_stats
from tests.factories import ServiceVersionFactory

pytestmark = pytest.mark.django_db


def _activate(communes, *slugs_per_commune) -> None:
    for commune, slugs in zip((communes.zeitz, communes.borna), slugs_per_commune, strict=True):
        with tenant_context(commune):
            for slug in slugs:
                activate_service(service_slug=slug, actor="test")


def test_refresh_counts_every_schema_in_one_union_statement(communes) -> None:
    a, b = ServiceVersionFactory(service__slug="wohngeld"), ServiceVersionFactory(service__slug="hundesteuer")
    _activate(communes, [a.service.slug, b.service.slug], [a.service.slug])
    with CaptureQueriesContext(connection) as queries:
        result = refresh_tenant_stats(batch_size=500)
    selects = [q["sql"] for q in queries if "UNION ALL" in q["sql"] and "activations_activation" in q["sql"]]
    assert len(selects) == 2  # per-commune figures and per-service usage, for both schemas at once
    assert result.schemas == 2
    zeitz, borna = TenantStats.objects.get(commune=communes.zeitz), TenantStats.objects.get(commune=communes.borna)
    assert (zeitz.active_services, borna.active_services) == (2, 1)
    assert zeitz.last_activity_at is not None
    usage = dict(ServiceUsage.objects.values_list("service__slug", "active_communes"))
    assert usage == {"wohngeld": 2, "hundesteuer": 1}


def test_open_requests_are_counted_per_commune(communes) -> None:
    from citizen_requests.services import submit_request

    version = ServiceVersionFactory(service__slug="sperrmuell")
    _activate(communes, [version.service.slug], [])
    with tenant_context(communes.zeitz):
        for name in ("Anna Schulz", "Ben Krause"):
            submit_request(
                service_slug="sperrmuell", email="buerger@example.org", data={"name": name, "email": "b@example.org"}
            )
    refresh_tenant_stats()
    zeitz, borna = TenantStats.objects.get(commune=communes.zeitz), TenantStats.objects.get(commune=communes.borna)
    assert (zeitz.open_requests, borna.open_requests) == (2, 0)


def test_requests_per_week_add_up_every_commune_and_show_in_the_usage_chart(communes, operator_client) -> None:
    from citizen_requests.services import submit_request
    from operators.models import RequestsPerWeek, Role

    version = ServiceVersionFactory(service__slug="fundsachen")
    _activate(communes, [version.service.slug], [version.service.slug])
    for commune, people in ((communes.zeitz, ["Anna", "Ben"]), (communes.borna, ["Carla"])):
        with tenant_context(commune):
            for name in people:
                submit_request(
                    service_slug="fundsachen", email="b@example.org", data={"name": name, "email": "b@example.org"}
                )
    refresh_tenant_stats()
    assert sum(RequestsPerWeek.objects.values_list("requests", flat=True)) == 3
    page = operator_client(Role.VIEWER).client.get("/operator/usage/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Requests per week" in page
    assert ">3<" in page.replace(" ", "")


def test_tables_missing_in_a_schema_count_zero_instead_of_failing(communes, monkeypatch) -> None:
    from operators import stats

    source = stats.Source("requests_request", "open_requests", "count(*) FILTER (WHERE closed_at IS NULL)")
    monkeypatch.setattr(stats, "SOURCES", [*stats.SOURCES, source])
    refresh_tenant_stats()
    assert list(TenantStats.objects.values_list("open_requests", flat=True)) == [0, 0]


def test_command_and_task_refresh_the_figures(communes) -> None:
    from django.core.management import call_command

    from operators import tasks

    out = io.StringIO()
    call_command("refresh_tenant_stats", stdout=out)
    assert "Refreshed 2 schemas" in out.getvalue()
    assert tasks.refresh_tenant_stats.apply().result == 2
    assert TenantStats.objects.count() == 2


def test_refresh_batches_statements(communes) -> None:
    assert refresh_tenant_stats(batch_size=1).statements == 8  # table lookup, figures, usage, requests per week


def test_tenant_list_reads_figures_without_touching_tenant_schemas(operator_client, communes) -> None:
    version = ServiceVersionFactory(service__slug="wohngeld")
    _activate(communes, [version.service.slug], [])
    refresh_tenant_stats()
    client = operator_client(Role.VIEWER).client
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/operator/")
    assert page.status_code == 200
    statements = [q["sql"] for q in queries if not q["sql"].startswith("SET search_path")]
    assert len(statements) <= 10  # query budget of the list page, whatever the number of communes
    assert not [q for q in queries if '"zeitz"' in q["sql"] or "activations_activation" in q["sql"]]
    rows = {tenant.slug: tenant for tenant in page.context["page"]}
    assert rows["zeitz"].stats.active_services == 1
    assert rows["borna"].stats.active_services == 0


def test_tenant_list_filters(operator_client, communes) -> None:
    client = operator_client(Role.VIEWER).client
    slugs = lambda response: [t.slug for t in response.context["page"]]  # noqa: E731
    assert slugs(client.get("/operator/", {"land": "Sachsen"})) == ["borna"]
    assert slugs(client.get("/operator/", {"q": "zei"})) == ["zeitz"]
    assert slugs(client.get("/operator/", {"status": "suspended"})) == []


def test_tenant_detail_shows_activations_read_in_the_tenant_schema(operator_client, communes) -> None:
    version = ServiceVersionFactory(service__slug="wohngeld", service__title_de="Wohngeld beantragen")
    _activate(communes, [], [version.service.slug])
    client = operator_client(Role.VIEWER).client
    assert "Wohngeld beantragen" in client.get("/operator/tenants/borna/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert (
        "Wohngeld beantragen" not in client.get("/operator/tenants/zeitz/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    )


def test_usage_page_draws_bars(operator_client, communes) -> None:
    page = operator_client(Role.VIEWER).client.get("/operator/usage/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert 'class="bar"' in page.content.decode()


def test_audit_log_rejects_update_and_delete_through_orm_and_sql(communes) -> None:
    event = audit.record("test.event", actor="test", commune=communes.zeitz)
    attempts = [
        lambda: AuditEvent.objects.filter(pk=event.pk).update(actor="someone else"),
        lambda: AuditEvent.objects.filter(pk=event.pk).delete(),
        lambda: connection.cursor().execute("UPDATE audit_auditevent SET actor = 'x' WHERE id = %s", [event.pk]),
        lambda: connection.cursor().execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk]),
    ]
    for attempt in attempts:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            attempt()
    event.refresh_from_db()
    assert event.actor == "test"


def test_audit_log_filters_and_csv(operator_client, communes) -> None:
    audit.record("commune.test", actor="operator:a@provider.example", commune=communes.zeitz, target="zeitz")
    audit.record("commune.test", actor="operator:b@provider.example", commune=communes.borna, target="borna")
    client = operator_client(Role.VIEWER).client
    page = client.get("/operator/audit/", {"commune": "zeitz", "action": "commune.test"})
    assert [e.target for e in page.context["page"]] == ["zeitz"]
    page = client.get("/operator/audit/", {"actor": "b@provider", "since": "2000-01-01"})
    assert [e.target for e in page.context["page"]] == ["borna"]
    response = client.get("/operator/audit.csv", {"action": "commune.test"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["at", "commune", "actor", "action", "target", "data"]
    assert sorted(row[1] for row in rows[1:]) == ["borna", "zeitz"]


def test_audit_csv_does_not_hand_formulas_to_spreadsheets(operator_client, communes) -> None:
    audit.record("commune.test", actor="operator:a@provider.example", commune=communes.zeitz, target="=HYPERLINK(1)")
    response = operator_client(Role.VIEWER).client.get("/operator/audit.csv", {"action": "commune.test"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[1][4] == "'=HYPERLINK(1)"
