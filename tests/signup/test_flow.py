"""The whole onboarding through HTTP, as an applicant and an operator experience it."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tenants.utils import schema_exists, tenant_context

from accounts.models import User
from activations.models import Activation
from signup.models import Application, TrustedDomain
from tenants.models import Commune
from tests.helpers import host_client
from tests.signup.helpers import links_in_last_mail, path_of, submit

pytestmark = pytest.mark.django_db

FORM = {
    "applicant_name": "Anna Amtsleiterin",
    "applicant_role": "Leiterin Bürgeramt",
    "applicant_email": "amt@leipzig.de",
    "applicant_phone": "0341 123-0",
    "accept_terms": "on",
    "accept_dpa": "on",
    "services": ["anwohnerparken"],
    "invoice_recipient": "Stadt Leipzig, Kämmerei",
    "invoice_street": "Martin-Luther-Ring 4-6",
    "invoice_postcode": "04109",
    "invoice_city": "Leipzig",
    "leitweg_id": "991-33333TEST-33",
    "website": "",
}


def test_commune_signs_up_is_approved_and_its_admin_sets_a_password(
    communes, template_schema, published_service, operator_client, platform_client, django_capture_on_commit_callbacks
) -> None:
    # 1. Find the commune: a plain search form; taken communes are marked.
    page = platform_client.get("/signup/?q=Leip", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Leipzig" in page
    assert "/signup/apply/14713000/" in page
    page = platform_client.get("/signup/?q=Zeitz", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "already on Kommunal" in page
    assert "/signup/apply/15084590/" not in page

    # 2./3. Applicant, terms, services, billing.
    with django_capture_on_commit_callbacks(execute=True):
        response = platform_client.post("/signup/apply/14713000/", FORM, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302  # redirect after POST: reloading the next page posts nothing
    assert response["Location"] == "/signup/submitted/"
    assert (
        "confirm your e-mail address"
        in platform_client.get("/signup/submitted/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    application = Application.objects.get(ags="14713000")
    assert application.status == Application.Status.PENDING_REVIEW
    assert not application.is_verified
    assert application.terms_version
    assert application.terms_accepted_at
    assert application.dpa_version
    assert application.services == ["anwohnerparken"]
    assert application.leitweg_id == "991-33333TEST-33"

    # 4. The verification link from the e-mail: GET asks, POST confirms, once.
    verify_url, status_url = links_in_last_mail("amt@leipzig.de")
    assert "/signup/verify/" in verify_url
    assert platform_client.get(path_of(verify_url)).status_code == 200
    application.refresh_from_db()
    assert not application.is_verified  # a mail scanner following the link verifies nothing
    response = platform_client.post(path_of(verify_url))
    assert response.status_code == 302
    assert response["Location"] == path_of(status_url)
    assert platform_client.post(path_of(verify_url)).status_code == 400  # single use
    page = platform_client.get(path_of(status_url), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "pending review" in page
    assert 'http-equiv="refresh"' not in page  # no reload every few seconds (WCAG 2.2.1)
    assert "Check status" in page
    assert 'data-poll-seconds="30"' in page

    # 5. Review by an operator.
    page = operator_client.get("/operator/signups/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Leipzig" in page
    assert "Anna Amtsleiterin" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = operator_client.post(f"/operator/signups/{application.pk}/approve/")
    assert response.status_code == 302

    # 6. Provisioned in the background (in-process here): schema, host, admin, services, mail.
    application.refresh_from_db()
    assert application.status == Application.Status.ACTIVE, application.provisioning_error
    commune = Commune.objects.get(ags="14713000")
    assert commune.status == Commune.Status.ACTIVE
    assert schema_exists(commune.schema_name)
    assert commune.applied_migrations  # cloned schemas record their migrations too
    with tenant_context(commune):
        assert Activation.objects.filter(service=published_service, is_active=True).exists()
        assert User.objects.get(email="amt@leipzig.de").is_commune_admin
    page = platform_client.get(path_of(status_url), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "ready" in page
    assert commune.portal_url in page
    assert "data-poll-seconds" not in page  # decided: nothing left to check

    # The welcome mail's invitation link opens on the new commune's host.
    invitation = next(link for link in links_in_last_mail("amt@leipzig.de") if "/set-password/" in link)
    client = host_client(commune)
    form_page = client.get(path_of(invitation), follow=True)
    assert form_page.status_code == 200
    password = "ein-sehr-langes-Passwort-2026"
    response = client.post(form_page.redirect_chain[-1][0], {"new_password1": password, "new_password2": password})
    assert response.status_code == 302
    assert client.post("/accounts/login/", {"username": "amt@leipzig.de", "password": password}).status_code == 302


def test_verification_link_expires_after_24_hours(
    communes, platform_client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        application = submit()
    verify_url = links_in_last_mail("amt@leipzig.de")[0]
    Application.objects.filter(pk=application.pk).update(verification_sent_at=timezone.now() - timedelta(hours=25))
    response = platform_client.post(path_of(verify_url), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    application.refresh_from_db()
    assert not application.is_verified


def test_verified_address_on_a_trusted_domain_is_approved_without_review(
    communes, template_schema, platform_client, django_capture_on_commit_callbacks
) -> None:
    call_command("trust_domain", "14713000", "@Leipzig.de", stdout=StringIO())
    assert TrustedDomain.objects.get().domain == "leipzig.de"
    with django_capture_on_commit_callbacks(execute=True):
        application = submit()
    verify_url = links_in_last_mail("amt@leipzig.de")[0]
    with django_capture_on_commit_callbacks(execute=True):
        platform_client.post(path_of(verify_url))
    application.refresh_from_db()
    assert application.status == Application.Status.ACTIVE
    assert application.reviewed_by == "system:auto-approve"


def test_untrusted_domain_waits_for_review(communes, platform_client, django_capture_on_commit_callbacks) -> None:
    TrustedDomain.objects.create(ags="14713000", domain="leipzig.de")
    with django_capture_on_commit_callbacks(execute=True):
        application = submit(email="buergermeister@gmail.example")
    with django_capture_on_commit_callbacks(execute=True):
        platform_client.post(path_of(links_in_last_mail("buergermeister@gmail.example")[0]))
    application.refresh_from_db()
    assert application.status == Application.Status.PENDING_REVIEW
    assert application.is_verified


def test_rejection_mails_the_reason_and_frees_the_commune(
    communes, operator_client, platform_client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        application = submit()
    assert operator_client.post(f"/operator/signups/{application.pk}/reject/", {"reason": ""}).status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.PENDING_REVIEW  # a reason is required
    with django_capture_on_commit_callbacks(execute=True):
        operator_client.post(f"/operator/signups/{application.pk}/reject/", {"reason": "Nicht vertretungsberechtigt"})
    application.refresh_from_db()
    assert application.status == Application.Status.REJECTED
    assert "Nicht vertretungsberechtigt" in mail.outbox[-1].body
    assert "Nicht vertretungsberechtigt" in platform_client.get(f"/signup/{application.pk}/").content.decode()
    submit(email="neu@leipzig.de")  # the commune may apply again


def test_review_list_is_for_operators_only(communes, platform_client) -> None:
    response = platform_client.get("/operator/signups/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    User.objects.create_user("citizen@example.org", "x" * 16, full_name="C")
    platform_client.post("/accounts/login/", {"username": "citizen@example.org", "password": "x" * 16})
    assert platform_client.get("/operator/signups/").status_code == 403
    application = submit()
    assert platform_client.post(f"/operator/signups/{application.pk}/reject/", {"reason": "x"}).status_code == 403


def test_honeypot_looks_like_success_but_stores_nothing(communes, published_service, platform_client) -> None:
    response = platform_client.post(
        "/signup/apply/14713000/", {**FORM, "website": "http://spam.example"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 302
    assert response["Location"] == "/signup/submitted/"
    assert not Application.objects.exists()
    assert not mail.outbox


def test_wizard_shows_a_message_when_rate_limited(communes, published_service, platform_client, settings) -> None:
    settings.SIGNUP_RATE_LIMITS = {"signup-ip": (1, 3600)}
    platform_client.post("/signup/apply/14713000/", FORM)
    response = platform_client.post(
        "/signup/apply/14628110/", {**FORM, "applicant_email": "b@x.de"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 429
    assert "Too many applications" in response.content.decode()
    assert Application.objects.count() == 1


def test_wizard_explains_errors_per_field_in_german(communes, published_service, platform_client) -> None:
    response = platform_client.post("/signup/apply/14713000/", {**FORM, "leitweg_id": "991-33333TEST-34"})
    assert "Prüfziffer" in response.content.decode()
    assert not Application.objects.exists()


def test_legal_texts_are_published_with_their_version(platform_client) -> None:
    from signup import legal

    assert legal.TERMS_VERSION in platform_client.get("/legal/terms/").content.decode()
    page = platform_client.get("/legal/dpa/").content.decode()
    assert "Art. 28 DSGVO" in page
    assert legal.DPA_VERSION in page


def test_signup_pages_do_not_exist_on_a_commune_host(communes, zeitz_client) -> None:
    application = submit()
    assert zeitz_client.get("/signup/").status_code == 404
    assert zeitz_client.get(f"/signup/{application.pk}/").status_code == 404
    assert zeitz_client.get("/operator/signups/").status_code == 404
    assert zeitz_client.get(f"/api/v1/signups/{application.pk}/").status_code == 404
