"""The operator console's tables fit a 1366 x 768 screen in a real browser, with long names and
long audit details: nothing scrolls sideways, dates stay on one line."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from activations.services import activate_service
from audit import services as audit
from operators import stats
from operators.models import Role
from tenants.models import Commune
from tests.a11y.test_axe import OPERATOR_PAGES, Responses, _fetch_with_files, _path
from tests.browser import launch, needs_chromium
from tests.factories import ServiceVersionFactory
from tests.operator_helpers import verified_operator_client

pytestmark = [
    pytest.mark.django_db,
    needs_chromium,
]

LONG_NAME = "Verbandsgemeinde Ruwer-Hochwald-Saarburg-Kell am See und Umgebung an der Mosel"
CONSOLE_PAGES = [*OPERATOR_PAGES, "/operator/tokens/", "/operator/team/", "/operator/billing/"]

MEASURE = """() => {
    const width = document.documentElement.clientWidth;
    const tables = [...document.querySelectorAll('table')].map((table, index) => ({
        index,
        right: Math.round(table.getBoundingClientRect().right),
        overflows: table.scrollWidth > table.clientWidth + 1,
        cellsOverflowing: [...table.querySelectorAll('td, th')].filter(c => c.scrollWidth > c.clientWidth + 1).length,
    }));
    const lines = cell => {
        const range = document.createRange();
        range.selectNodeContents(cell);
        return new Set([...range.getClientRects()].map(rect => Math.round(rect.top))).size;
    };
    const dates = [...document.querySelectorAll('td.nowrap')].filter(cell => lines(cell) > 1).length;
    return {width, page: document.documentElement.scrollWidth, tables, wrappedDates: dates};
}"""


def test_console_tables_fit_a_1366_pixel_screen(communes) -> None:
    from playwright.sync_api import sync_playwright

    Commune.objects.filter(pk=communes.zeitz.pk).update(name=LONG_NAME, landkreis="Trier-Saarburg (Landkreis)")
    version = ServiceVersionFactory(
        service__title_de="Antrag auf Erteilung einer Sondernutzungserlaubnis für Veranstaltungen im öffentlichen Raum"
    )
    with tenant_context(communes.zeitz):
        activate_service(service_slug=version.service.slug, actor="admin@zeitz.example")
    stats.refresh_commune_stats(communes.zeitz)
    audit.record(
        "commune.exported",
        actor="operator:a-very-long-operator-address@bereitstellung.it-dienstleister.example",
        commune=communes.zeitz,
        target="zeitz",
        path="exports/zeitz/zeitz-2026-11-29T23-59-59-0123456789abcdef0123456789abcdef.zip",
        sha256="9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        counts={f"app_{n}_table_with_a_long_name": n for n in range(12)},
        files=1234,
    )
    client = verified_operator_client("width@provider.example", Role.ADMIN)
    files: Responses = {}
    for path in CONSOLE_PAGES:
        files |= _fetch_with_files(client, path, files)

    def serve(route) -> None:  # type: ignore[no-untyped-def]
        status, headers, body = files.get(_path(route.request.url), (404, {}, b""))
        route.fulfill(status=status, headers=headers, body=body)

    measured = {}
    with sync_playwright() as playwright:
        browser = launch(playwright)
        context = browser.new_context(viewport={"width": 1366, "height": 768}, bypass_csp=True)
        context.route("**/*", serve)
        page = context.new_page()
        for path in CONSOLE_PAGES:
            assert files[path][0] == 200, path
            page.goto(f"http://localhost{path}")
            measured[path] = page.evaluate(MEASURE)
            print(f"{path}: {measured[path]}")
        browser.close()

    for path, found in measured.items():
        assert found["page"] <= found["width"], (path, found)
        for table in found["tables"]:
            assert table["right"] <= found["width"], (path, table)
            assert not table["overflows"], (path, table)
            assert table["cellsOverflowing"] == 0, (path, table)
        assert found["wrappedDates"] == 0, (path, found)
