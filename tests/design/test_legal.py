"""Imprint, privacy policy and accessibility statement on every portal, editable, with a feedback form."""

from __future__ import annotations

import re

from django.core import mail
from django_tenants.utils import tenant_context

from audit.models import AuditEvent
from branding import services as branding_services
from tests.helpers import host_client, signed_in_client

LEGAL_PATHS = ["/rechtliches/impressum/", "/rechtliches/datenschutz/", "/rechtliches/barrierefreiheit/"]


def _set_contact(commune, email: str) -> None:
    with tenant_context(commune):
        branding_services.update_branding(commune=commune, actor="test", contact_email=email)


def _footer(html: str) -> str:
    return html[html.index('<footer class="site-footer"') :]


def test_every_portal_page_links_all_three_legal_pages(communes) -> None:
    citizen = host_client(communes.zeitz)
    admin = signed_in_client(communes.zeitz, "admin@zeitz.example")
    pages = [(citizen, "/"), (citizen, "/status/"), (citizen, "/accounts/login/"), (citizen, "/nowhere/")]
    pages += [(citizen, path) for path in LEGAL_PATHS]
    pages += [(admin, "/verwaltung/anfragen/"), (admin, "/branding/"), (admin, "/verwaltung/rechtliches/")]
    for client, path in pages:
        response = client.get(path)
        assert response.status_code in (200, 404), path
        footer = _footer(response.content.decode())
        for legal in LEGAL_PATHS:
            assert f'href="{legal}"' in footer, (path, legal)
    for path in LEGAL_PATHS:
        assert host_client(communes.zeitz).get(path).status_code == 200


def test_the_defaults_are_filled_from_the_communes_data_and_name_the_lands_enforcement_body(communes) -> None:
    zeitz = host_client(communes.zeitz)
    imprint = zeitz.get("/rechtliches/impressum/").content.decode()
    assert communes.zeitz.name in imprint
    assert communes.zeitz.landkreis in imprint
    zeitz_statement = zeitz.get("/rechtliches/barrierefreiheit/").content.decode()
    borna_statement = host_client(communes.borna).get("/rechtliches/barrierefreiheit/").content.decode()
    assert communes.zeitz.land in zeitz_statement
    assert 'href="https://lf-barrierefreiheit-st.de/ueber-uns/ombudsstelle"' in zeitz_statement, "Sachsen-Anhalt's body"
    assert 'href="https://www.durchsetzungsstelle.sachsen.de/"' in borna_statement, "Sachsen: its own body"
    assert 'href="mailto:Durchsetzungsstelle@sk.sachsen.de"' in borna_statement, "with its published e-mail address"
    assert 'name="message"' in zeitz_statement, "the statement carries the feedback form"


def test_a_commune_admin_edits_a_page_for_its_own_portal_only(communes) -> None:
    admin = signed_in_client(communes.zeitz, "admin@zeitz.example")
    editor = admin.get("/verwaltung/rechtliches/impressum/").content.decode()
    assert communes.zeitz.name in editor, "the editor starts from the filled-in default"
    response = admin.post("/verwaltung/rechtliches/impressum/", {"body": "Oberbürgermeister: Christian Thieme"})
    assert response.status_code == 302
    assert "Christian Thieme" in host_client(communes.zeitz).get("/rechtliches/impressum/").content.decode()
    assert "Christian Thieme" not in host_client(communes.borna).get("/rechtliches/impressum/").content.decode()
    assert AuditEvent.objects.filter(action="legal.updated", commune=communes.zeitz).exists()
    admin.post("/verwaltung/rechtliches/impressum/", {"body": ""})
    back = host_client(communes.zeitz).get("/rechtliches/impressum/").content.decode()
    assert "Christian Thieme" not in back, "empty returns to the default"
    assert communes.zeitz.landkreis in back


def test_only_the_communes_admin_edits_legal_pages(communes) -> None:
    assert host_client(communes.zeitz).get("/verwaltung/rechtliches/").status_code == 302
    response = host_client(communes.zeitz).post("/verwaltung/rechtliches/impressum/", {"body": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    borna_admin = signed_in_client(communes.borna, "admin@borna.example")
    borna_admin.post("/verwaltung/rechtliches/impressum/", {"body": "Borna only"})
    assert "Borna only" not in host_client(communes.zeitz).get("/rechtliches/impressum/").content.decode()
    assert host_client().get("/rechtliches/impressum/").status_code == 404, (
        "no legal page of a commune on the platform host"
    )


def test_accessibility_feedback_goes_to_this_commune_only(communes) -> None:
    _set_contact(communes.zeitz, "buergerbuero@zeitz.example")
    _set_contact(communes.borna, "info@borna.example")
    mail.outbox.clear()
    response = host_client(communes.zeitz).post(
        "/rechtliches/barrierefreiheit/",
        {"message": "The map on the home page has no text alternative.", "page": "/", "email": "ana@example.org"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Ihre Rückmeldung wurde an die Kommune gesendet" in response.content.decode()
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["buergerbuero@zeitz.example"]
    assert "no text alternative" in sent.body
    assert "ana@example.org" in sent.body
    assert "info@borna.example" not in sent.to + sent.cc + sent.bcc


def test_feedback_without_a_message_is_refused_with_a_message_and_sends_nothing(communes) -> None:
    mail.outbox.clear()
    response = host_client(communes.borna).post("/rechtliches/barrierefreiheit/", {"message": "", "email": "nope"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert re.search(r'href="#id_message"', html)
    assert mail.outbox == []


def test_feedback_without_a_contact_address_reaches_the_communes_admins(communes) -> None:
    _set_contact(communes.borna, "")
    mail.outbox.clear()
    host_client(communes.borna).post("/rechtliches/barrierefreiheit/", {"message": "Contrast too low."})
    assert [m.to for m in mail.outbox] == [["admin@borna.example"]]
