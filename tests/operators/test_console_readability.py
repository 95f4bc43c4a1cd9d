"""The console in words and on one screen: translated audit entries, service titles, short dates,
and figures that are there from the start and can be refreshed for one commune."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from django_tenants.utils import tenant_context

from activations.services import activate_service
from audit import services as audit
from branding.models import Branding
from operators import stats
from operators.models import Role, TenantStats
from tests.factories import ServiceVersionFactory

pytestmark = pytest.mark.django_db


def test_a_new_commune_has_its_figures_from_provisioning_on(communes, operator_client) -> None:
    figures = TenantStats.objects.get(commune=communes.zeitz)
    assert (figures.active_services, figures.open_requests) == (0, 0)

    page = operator_client(Role.VIEWER).client.get("/operator/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Kennzahlen wurden noch nicht berechnet" not in page


def test_refresh_figures_recounts_one_commune_only(communes, operator_client) -> None:
    version = ServiceVersionFactory(service__title_de="Hundesteuer anmelden")
    for commune in (communes.zeitz, communes.borna):
        with tenant_context(commune):
            activate_service(service_slug=version.service.slug, actor="test")
    client = operator_client(Role.OPERATOR).client

    detail = client.get("/operator/tenants/zeitz/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert ">Kennzahlen aktualisieren</button>" in detail
    response = client.post("/operator/tenants/zeitz/figures/refresh/", HTTP_ACCEPT_LANGUAGE="de")

    assert response.status_code == 302
    assert response["Location"] == "/operator/tenants/zeitz/"
    assert TenantStats.objects.get(commune=communes.zeitz).active_services == 1
    assert TenantStats.objects.get(commune=communes.borna).active_services == 0
    assert client.get("/operator/tenants/zeitz/figures/refresh/").status_code == 405
    assert client.post("/operator/tenants/nirgendwo/figures/refresh/").status_code == 404


def test_services_are_listed_by_title_not_slug(communes, operator_client) -> None:
    version = ServiceVersionFactory(service__slug="hundesteuer-x", service__title_de="Hundesteuer anmelden")
    with tenant_context(communes.zeitz):
        activate_service(service_slug=version.service.slug, actor="test")

    page = operator_client(Role.VIEWER).client.get("/operator/tenants/zeitz/", HTTP_ACCEPT_LANGUAGE="de")
    body = page.content.decode()

    assert '<td class="wrap">Hundesteuer anmelden</td>' in body
    assert ">hundesteuer-x<" not in body


def test_audit_entries_read_as_translated_actions_with_a_definition_list(communes, operator_client) -> None:
    audit.record(
        "commune.exported",
        actor="operator:ops@provider.example",
        commune=communes.zeitz,
        target="zeitz",
        path="exports/zeitz/2026-11-29.zip",
        counts={"activations_activation": 3},
        files=2,
    )
    client = operator_client(Role.VIEWER).client

    for path in ("/operator/audit/", "/operator/tenants/zeitz/"):
        page = client.get(path, HTTP_ACCEPT_LANGUAGE="de").content.decode()
        assert '<span title="commune.exported">Kommune exportiert</span>' in page, path
        assert (
            '<dl class="details"><dt>Archiv</dt><dd>exports/zeitz/2026-11-29.zip</dd>'
            "<dt>Zeilen</dt><dd>activations_activation: 3</dd><dt>Dateien</dt><dd>2</dd></dl>"
        ) in page, path
        assert "{&#x27;" not in page
        assert "{'" not in page
        assert re.search(r'<td class="nowrap">\d\d\.\d\d\.\d{4} \d\d:\d\d</td>', page), path


def test_an_action_without_a_label_is_shown_by_its_code(communes, operator_client) -> None:
    audit.record("commune.something_new", actor="system", commune=communes.zeitz, reason="Test")

    page = operator_client(Role.VIEWER).client.get("/operator/audit/", HTTP_ACCEPT_LANGUAGE="de").content.decode()

    assert '<span title="commune.something_new">commune.something_new</span>' in page
    assert "<dt>Grund</dt><dd>Test</dd>" in page


def test_tenant_list_shows_last_activity_as_a_short_date(communes, operator_client) -> None:
    version = ServiceVersionFactory()
    with tenant_context(communes.zeitz):
        activate_service(service_slug=version.service.slug, actor="test")
    stats.refresh_commune_stats(communes.zeitz)

    page = operator_client(Role.VIEWER).client.get("/operator/", HTTP_ACCEPT_LANGUAGE="de").content.decode()

    assert len(re.findall(r'<td class="nowrap">\d\d\.\d\d\.\d{4}</td>', page)) == 1  # date only, no time


def test_status_changes_name_the_statuses_in_german(communes, operator_client) -> None:
    from tenants import actions

    actions.suspend_commune(communes.zeitz, actor="operator:ops@provider.example", reason="Zahlungsverzug")

    page = operator_client(Role.VIEWER).client.get("/operator/audit/?commune=zeitz", HTTP_ACCEPT_LANGUAGE="de")
    body = page.content.decode()

    assert '<span title="commune.status_changed">Status geändert</span>' in body
    assert "<dt>Grund</dt><dd>Zahlungsverzug</dd>" in body
    assert (
        "<dt>Bisheriger Status</dt><dd>aktiv</dd><dt>Neuer Status</dt><dd>gesperrt</dd><dt>Grund</dt><dd>Zahlungsverzug</dd>"
    ) in body


def test_changed_branding_fields_are_named_as_on_the_branding_page(communes, operator_client) -> None:
    from branding import services as branding

    with tenant_context(communes.zeitz):
        branding.update_branding(
            commune=communes.zeitz,
            actor="admin@zeitz.example",
            contact_email="rathaus@zeitz.example",
            primary_color="#123456",
        )

    page = operator_client(Role.VIEWER).client.get("/operator/audit/?commune=zeitz", HTTP_ACCEPT_LANGUAGE="de")
    body = page.content.decode()

    assert "contact_email" not in body
    assert "primary_color" not in body
    with translation.override("de"):
        names = [str(Branding._meta.get_field(name).verbose_name) for name in ("contact_email", "primary_color")]
    assert f"<dd>{names[0]}, {names[1]}</dd>" in body


def test_every_recorded_action_has_a_label() -> None:
    from pathlib import Path

    from activations.models import ActivationEvent
    from audit.labels import ACTION_LABELS

    root = Path(__file__).resolve().parents[2]
    literal = re.compile(r'audit\.record\(\s*"([a-z_]+\.[a-z_]+)"')
    recorded = {
        code
        for source in root.glob("*/**/*.py")
        if source.parts[len(root.parts)] not in {"tests", ".venv", "bench"}
        for code in literal.findall(source.read_text())
    }
    recorded |= {f"service.{action}" for action in ActivationEvent.Action.values}
    recorded |= {f"branding.{kind}_replaced" for kind in ("logo", "header")} | {"branding.header_removed"}

    assert len(recorded) > 60
    assert sorted(recorded - set(ACTION_LABELS)) == []
