"""What a citizen notices around a request: page titles, the error summary, and the e-mails.

The e-mails come from the commune's display name and carry a status link that opens exactly
one request of exactly that commune.
"""

from __future__ import annotations

import email
import email.policy
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django_tenants.utils import tenant_context

from branding import services as branding_services
from citizen_requests import services as request_services
from citizen_requests import status_links
from citizen_requests.models import CitizenRequest
from tests.catalog_helpers import BULKY_WASTE, activate, post_form
from tests.helpers import host_client

pytestmark = pytest.mark.django_db
STATUS_LINK = re.compile(r"https?://\S+/status/\?\S+")
TITLE = re.compile(r"<title>(.*?)</title>", re.S)
DASH = " \N{EN DASH} "  # between the parts of a page title


@pytest.fixture
def zeitz_offers(catalogue, communes):  # type: ignore[no-untyped-def]
    activate(communes.zeitz, "sperrmuell")
    activate(communes.borna, "sperrmuell")
    with tenant_context(communes.zeitz):
        branding_services.update_branding(commune=communes.zeitz, actor="test", display_name="Stadt Zeitz")
    with tenant_context(communes.borna):
        branding_services.update_branding(commune=communes.borna, actor="test", display_name="Große Kreisstadt Borna")
    return communes


def _title(response) -> str:  # type: ignore[no-untyped-def]
    return TITLE.search(response.content.decode()).group(1).strip()


def _submit(client, django_capture_on_commit_callbacks, to: str = "erika@example.org") -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        assert post_form(client, "sperrmuell", BULKY_WASTE, email=to).status_code == 302


def _status_link(message) -> str:  # type: ignore[no-untyped-def]
    return STATUS_LINK.search(str(message.body)).group(0)


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def test_titles_name_the_step_the_service_and_the_commune(zeitz_offers, zeitz_client) -> None:
    form = zeitz_client.get("/leistungen/sperrmuell/antrag/")
    assert _title(form) == DASH.join(["Antrag stellen", "Sperrmüllabholung anmelden", "Stadt Zeitz"])
    failed = post_form(zeitz_client, "sperrmuell", {**BULKY_WASTE, "plz": "1"})
    assert failed.status_code == 400
    assert _title(failed) == DASH.join(["Fehler: Antrag stellen", "Sperrmüllabholung anmelden", "Stadt Zeitz"])
    received = post_form(zeitz_client, "sperrmuell", BULKY_WASTE)
    page = zeitz_client.get(received["Location"])
    assert _title(page) == DASH.join(["Antrag eingegangen", "Sperrmüllabholung anmelden", "Stadt Zeitz"])


def test_the_leichte_sprache_page_names_the_commune_by_its_display_name(zeitz_offers, zeitz_client) -> None:
    page = zeitz_client.get("/leistungen/sperrmuell/leichte-sprache/")
    assert _title(page) == DASH.join(["Leichte Sprache: Sperrmüllabholung anmelden", "Stadt Zeitz"])


def test_failed_submit_puts_the_focusable_summary_first_with_links_to_the_inputs(zeitz_offers, zeitz_client) -> None:
    data = {**BULKY_WASTE, "plz": "1"}
    page = post_form(zeitz_client, "sperrmuell", data, email="keine-adresse").content.decode()
    summary = page[page.index('<div class="error-summary"') : page.index("</div>", page.index('class="error-summary"'))]
    assert 'tabindex="-1"' in summary
    assert 'id="error-summary"' in summary
    assert summary.index('href="#field-plz"') < summary.index('href="#field-kontakt_email"')  # in the form's order
    assert page.index("error-summary") < page.index('<form method="post" class="stacked"')
    assert '<script src="/static/kommunal/error-summary.js" defer></script>' in page
    assert "error-summary.js" not in zeitz_client.get("/leistungen/sperrmuell/antrag/").content.decode()


def test_mails_come_from_the_communes_display_name_with_the_platform_address(
    zeitz_offers, zeitz_client, django_capture_on_commit_callbacks, settings
) -> None:
    _submit(zeitz_client, django_capture_on_commit_callbacks)
    confirmation = mail.outbox[-1]
    assert confirmation.from_email == f"Stadt Zeitz <{settings.DEFAULT_FROM_EMAIL.split('<')[1]}"
    with tenant_context(zeitz_offers.zeitz):
        request = CitizenRequest.objects.get()
        with django_capture_on_commit_callbacks(execute=True):
            request_services.change_status(request, to_status="in_progress", actor="staff@zeitz.example")
    changed = mail.outbox[-1]
    assert changed.from_email == confirmation.from_email
    assert "Stadt Zeitz" in changed.body  # signed with the display name, not the official one


def test_a_name_beyond_ascii_is_encoded_and_arrives_intact(
    zeitz_offers, django_capture_on_commit_callbacks, settings
) -> None:
    _submit(host_client(zeitz_offers.borna), django_capture_on_commit_callbacks)
    raw = mail.outbox[-1].message().as_bytes()
    assert "Große".encode() not in raw.split(b"\n\n", 1)[0]  # the header itself is 7-bit (RFC 2047)
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["From"].addresses[0].display_name == "Große Kreisstadt Borna"
    assert parsed["From"].addresses[0].addr_spec == settings.DEFAULT_FROM_EMAIL.split("<")[1].rstrip(">")


def test_status_link_in_the_mail_shows_the_status_in_one_click(
    zeitz_offers, zeitz_client, django_capture_on_commit_callbacks
) -> None:
    _submit(zeitz_client, django_capture_on_commit_callbacks)
    with tenant_context(zeitz_offers.zeitz):
        number = CitizenRequest.objects.get().tracking_number
    link = _status_link(mail.outbox[-1])
    assert link.startswith(f"{zeitz_offers.zeitz.portal_url}/status/?")
    assert parse_qs(urlsplit(link).query)["tracking_number"] == [number]
    page = host_client(zeitz_offers.zeitz).get(_path(link))  # a fresh browser: no session, no typing
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]
    html = page.content.decode()
    assert f"{number}: Sperrmüllabholung anmelden" in html
    assert "eingegangen" in html
    assert _title(page) == DASH.join(["Stand Ihres Antrags", "Sperrmüllabholung anmelden", "Stadt Zeitz"])


def test_status_code_opens_only_its_own_request(zeitz_offers, zeitz_client, django_capture_on_commit_callbacks) -> None:
    _submit(zeitz_client, django_capture_on_commit_callbacks, to="erika@example.org")
    _submit(zeitz_client, django_capture_on_commit_callbacks, to="max@example.org")
    with tenant_context(zeitz_offers.zeitz):
        erika, max_ = (CitizenRequest.objects.get(email=f"{n}@example.org") for n in ("erika", "max"))
    code = parse_qs(urlsplit(_status_link(mail.outbox[0])).query)["code"][0]
    assert code == status_links.access_code(zeitz_offers.zeitz.schema_name, erika.tracking_number)
    assert len(code) >= 40  # an HMAC, not something to try out
    for number, wrong_code in [
        (max_.tracking_number, code),  # another request with Erika's code
        (erika.tracking_number, code[:-1] + ("A" if code[-1] != "A" else "B")),  # a changed code
        (erika.tracking_number, ""),
    ]:
        page = zeitz_client.get("/status/", {"tracking_number": number, "code": wrong_code}).content.decode()
        assert "Dieser Statuslink ist nicht gültig." in page
        assert "Verlauf" not in page


def test_zeitz_mail_never_names_or_links_another_commune(
    zeitz_offers, zeitz_client, django_capture_on_commit_callbacks
) -> None:
    borna = zeitz_offers.borna
    _submit(
        host_client(borna), django_capture_on_commit_callbacks, to="borna-first@example.org"
    )  # Borna's schema ran last
    _submit(zeitz_client, django_capture_on_commit_callbacks)
    zeitz_mail = mail.outbox[-1]
    text = str(zeitz_mail.body) + str(zeitz_mail.alternatives[0][0]) + zeitz_mail.from_email + zeitz_mail.subject
    for trace in ("Borna", borna.primary_host, borna.schema_name):
        assert trace not in text
    # The Zeitz status link shows nothing on Borna's host, even for a request number that exists there.
    link = urlsplit(_status_link(zeitz_mail))
    code = parse_qs(link.query)["code"][0]
    with tenant_context(borna):
        borna_number = CitizenRequest.objects.get().tracking_number
    for number in (parse_qs(link.query)["tracking_number"][0], borna_number):
        page = host_client(borna).get("/status/", {"tracking_number": number, "code": code}).content.decode()
        assert "Dieser Statuslink ist nicht gültig." in page
