"""The wizard's pages as an applicant experiences them: errors, required fields, services, waiting."""

from __future__ import annotations

import re

import pytest

from catalog.models import Category
from signup.models import Application
from tests.factories import ServiceVersionFactory
from tests.signup.helpers import submit

pytestmark = pytest.mark.django_db
TITLE = re.compile(r"<title>(.*?)</title>", re.S)


def test_errors_are_summarised_at_the_top_with_links_to_the_fields(communes, platform_client) -> None:
    response = platform_client.post("/signup/apply/14713000/", {"applicant_email": "kein-amt", "website": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert TITLE.search(page).group(1).startswith("Fehler: Antrag für Leipzig")
    summary = page[page.index('<div class="error-summary"') : page.index("</div>", page.index('class="error-summary"'))]
    assert 'tabindex="-1"' in summary
    for field in ("applicant_name", "applicant_role", "applicant_email", "accept_terms", "accept_dpa"):
        assert f'href="#id_{field}"' in summary
    assert "website" not in summary  # the honeypot stays hidden
    assert "leer lassen" not in summary
    assert summary.index("#id_applicant_name") < summary.index("#id_accept_dpa")  # in the form's order
    assert page.index('class="error-summary"') < page.index('<form method="post"')
    assert '<script src="/static/kommunal/error-summary.js" defer></script>' in page
    # The field itself says what is wrong and is marked invalid, as on the citizen forms.
    assert 'aria-invalid="true"' in page
    assert 'id="id_applicant_email_error"' in page
    assert not Application.objects.exists()


def test_required_fields_carry_the_same_marker_as_the_citizen_forms(communes, platform_client) -> None:
    page = platform_client.get("/signup/apply/14713000/").content.decode()
    marker = '<span aria-hidden="true">*</span><span class="visually-hidden">(Pflichtfeld)</span>'
    assert "Mit * markierte Felder sind Pflichtfelder." in page
    assert page.count(marker) == 5  # name, role, e-mail, terms, DPA
    label = page[page.index('<label for="id_applicant_phone">') :]
    assert marker not in label[: label.index("</label>")]  # optional fields carry none
    assert 'class="error-summary"' not in page


def test_services_are_grouped_by_subject_area_in_fieldsets(communes, platform_client) -> None:
    ServiceVersionFactory(service__slug="anwohnerparken", service__category=Category.MOBILITY)
    ServiceVersionFactory(service__slug="ladesaeule", service__category=Category.MOBILITY)
    ServiceVersionFactory(service__slug="hundesteuer", service__category=Category.TAXES)
    page = platform_client.get("/signup/apply/14713000/").content.decode()
    groups = re.findall(r'<fieldset class="service-group">\s*<legend>(.*?)</legend>(.*?)</fieldset>', page, re.S)
    by_area = {legend: re.findall(r'value="([^"]+)"', body) for legend, body in groups}
    assert by_area == {
        "Mobilität &amp; Reisen": ["anwohnerparken", "ladesaeule"],
        "Steuern &amp; Zoll": ["hundesteuer"],
    }
    assert '<fieldset id="id_services">' in page


def test_chosen_services_of_several_areas_are_stored(communes, platform_client) -> None:
    ServiceVersionFactory(service__slug="anwohnerparken", service__category=Category.MOBILITY)
    ServiceVersionFactory(service__slug="hundesteuer", service__category=Category.TAXES)
    form = {
        "applicant_name": "Anna Amtsleiterin",
        "applicant_role": "Leiterin Bürgeramt",
        "applicant_email": "amt@leipzig.de",
        "accept_terms": "on",
        "accept_dpa": "on",
        "services": ["anwohnerparken", "hundesteuer"],
    }
    response = platform_client.post("/signup/apply/14713000/", form)
    assert response.status_code == 302
    assert Application.objects.get().services == ["anwohnerparken", "hundesteuer"]
    # A reload of the page the browser landed on is a GET: nothing is submitted twice.
    assert platform_client.get(response["Location"]).status_code == 200
    assert Application.objects.count() == 1


def test_waiting_page_does_not_reload_itself_and_offers_a_status_check(communes, platform_client) -> None:
    application = submit()
    page = platform_client.get(f"/signup/{application.pk}/").content.decode()
    assert "http-equiv" not in page
    assert '<button type="submit">Status prüfen</button>' in page
    assert f'<form method="get" action="/signup/{application.pk}/"' in page
    assert 'data-poll-seconds="30"' in page
    assert '<script src="/static/signup/status-poll.js" defer></script>' in page
    assert 'aria-live="polite"' in page
    assert "Automatische Prüfung anhalten" in page  # the slow poll can be paused


def test_decided_application_has_nothing_left_to_check(communes, platform_client) -> None:
    application = submit()
    Application.objects.filter(pk=application.pk).update(
        status=Application.Status.REJECTED, rejection_reason="Keine Gemeinde"
    )
    page = platform_client.get(f"/signup/{application.pk}/").content.decode()
    assert "Keine Gemeinde" in page
    assert "status-poll.js" not in page
    assert "Status prüfen" not in page
