"""Every page of the three journeys in a real browser, checked with axe-core for WCAG 2.1 AA.

Each page and the same-host files it needs (stylesheets, scripts, fonts) are fetched through
Django's test client inside the test's transaction; Playwright's request routing hands exactly
these responses to the browser and anything else is a 404, so no third-party origin can be used. axe-core is
vendored in tests/a11y/axe/ (MPL-2.0, ``make vendor`` refreshes it). Violations are printed per
page; the bar is zero.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client

from operators.models import Role
from tests.browser import launch, needs_chromium
from tests.catalog_helpers import activate, load_shipped_catalogue
from tests.helpers import host_client, signed_in_client
from tests.operator_helpers import verified_operator_client
from tests.signup.helpers import submit

AXE = Path(__file__).parent / "axe" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

pytestmark = [
    pytest.mark.django_db,
    needs_chromium,
]

CITIZEN_PAGES = [
    "/",
    "/leistungen/sperrmuell/",
    "/leistungen/sperrmuell/leichte-sprache/",
    "/status/",
    "/accounts/login/",
]
CITIZEN_PAGES += ["/leistungen/sperrmuell/antrag/"]
CITIZEN_PAGES += ["/rechtliches/impressum/", "/rechtliches/datenschutz/", "/rechtliches/barrierefreiheit/"]
ADMIN_PAGES = ["/verwaltung/anfragen/", "/verwaltung/leistungen/", "/branding/", "/integrations/"]
ADMIN_PAGES += ["/verwaltung/rechnungen/", "/verwaltung/rechtliches/", "/verwaltung/rechtliches/impressum/"]
ADMIN_PAGES += ["/verwaltung/mitarbeitende/", "/verwaltung/leistungen/sperrmuell/texte/"]
OPERATOR_PAGES = ["/operator/", "/operator/audit/", "/operator/usage/", "/operator/catalog/"]
OPERATOR_PAGES += ["/operator/tenants/zeitz/", "/operator/signups/"]
PLATFORM_PAGES = ["/", "/?q=Zeitz", "/signup/"]
PLATFORM_PAGES += ["/signup/apply/14713000/", "/signup/submitted/"]

Responses = dict[str, tuple[int, dict[str, str], bytes]]


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _fetch(client: Client, path: str) -> tuple[int, dict[str, str], bytes]:
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="de")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, dict(response.items()), body


def _fetch_with_files(client: Client, path: str, files: Responses) -> Responses:
    """``path`` and the same-host files it needs (stylesheets, scripts, images, fonts), by path."""
    fetched = {path: _fetch(client, path)}
    wanted = re.findall(r'(?:href|src)="(/[^"]*)"', fetched[path][2].decode())
    while wanted:
        link = wanted.pop()
        if link in fetched or link in files or not link.startswith("/static/"):
            continue
        fetched[link] = _fetch(client, link)
        if link.endswith(".css"):
            wanted += [urljoin(link, url) for url in re.findall(r'url\("?(\./[^")]+)"?\)', fetched[link][2].decode())]
    return fetched


def _violations(browser, host: str, paths: list[str], files: Responses) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """Open each path of ``host`` in a fresh browser context serving ``files``; axe's violations."""
    context = browser.new_context(bypass_csp=True)

    def serve(route) -> None:  # type: ignore[no-untyped-def]
        status, headers, body = files.get(_path(route.request.url), (404, {}, b""))
        route.fulfill(status=status, headers=headers, body=body)

    context.route("**/*", serve)
    page = context.new_page()
    found = {}
    for path in paths:
        assert files[path][0] == 200, (host, path, files[path][0])
        page.goto(f"http://{host}{path}")
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA)
        found[path] = [
            f"{violation['id']}: {node['target']}" for violation in result["violations"] for node in violation["nodes"]
        ]
        print(f"axe {host}{path}: {len(found[path])} violations", *found[path], sep="\n  ")
    context.close()
    return found


def test_every_page_of_the_three_journeys_has_no_wcag_aa_violation(communes) -> None:
    from playwright.sync_api import sync_playwright

    operator = verified_operator_client("a11y@provider.example", Role.ADMIN)
    load_shipped_catalogue()
    activate(communes.zeitz, "sperrmuell")
    admin = signed_in_client(communes.zeitz, "admin@zeitz.example")
    waiting = f"/signup/{submit().pk}/"
    journeys = [
        (host_client(), "localhost", [*PLATFORM_PAGES, waiting]),
        (operator, "localhost", OPERATOR_PAGES),
        (host_client(communes.zeitz), communes.zeitz.primary_host, CITIZEN_PAGES),
        (admin, communes.zeitz.primary_host, ADMIN_PAGES),
    ]
    # Everything is fetched before Playwright starts: its event loop would make Django open a
    # second database connection, outside the test's transaction.
    fetched = []
    for client, host, paths in journeys:
        files: Responses = {}
        for path in paths:
            files |= _fetch_with_files(client, path, files)
        fetched.append((host, paths, files))
    with sync_playwright() as playwright:
        browser = launch(playwright)
        found: dict[str, list[str]] = {}
        for host, paths, files in fetched:
            found |= {f"{host}{path}": v for path, v in _violations(browser, host, paths, files).items()}
        browser.close()
    assert {page: v for page, v in found.items() if v} == {}
