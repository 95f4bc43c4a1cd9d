"""What commune admins and operators see of billing, and that no commune sees another's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_tenants.utils import tenant_context

from accounts.models import User
from billing.models import BillingAccount, Invoice, Subscription, SubscriptionItem
from billing.selectors import billing_state, price_preview
from operators.models import Role
from tests.billing.conftest import priced_service
from tests.helpers import ADMIN_PASSWORD, host_client, signed_in_client
from tests.operator_helpers import verified_operator_client

pytestmark = pytest.mark.django_db


def _billed(commune, number: str, amount: int) -> BillingAccount:
    account = BillingAccount.objects.create(
        commune=commune,
        stripe_customer_id=f"cus_{commune.slug}",
        name=commune.name,
        email=f"kasse@{commune.slug}.example",
    )
    now = timezone.now()
    Invoice.objects.create(
        account=account,
        stripe_id=f"in_{commune.slug}",
        number=number,
        status=Invoice.Status.OPEN,
        amount_due_cents=amount,
        period_start=now - timedelta(days=30),
        period_end=now,
        due_date=now + timedelta(days=30),
        invoice_pdf=f"https://pay.stripe.com/invoice/{commune.slug}/pdf",
        created=now,
        state_at=now,
    )
    return account


def test_commune_admin_sees_own_invoices_and_never_another_communes(fake, communes) -> None:
    _billed(communes.zeitz, "ZEITZ-0001", 1250)
    _billed(communes.borna, "BORNA-0001", 9900)

    page = signed_in_client(communes.zeitz, "admin@zeitz.example").get("/verwaltung/rechnungen/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "ZEITZ-0001" in html
    assert "12,50 €" in html
    assert "https://pay.stripe.com/invoice/zeitz/pdf" in html
    assert "BORNA-0001" not in html
    assert "borna" not in html.lower().replace("kommunal", "")

    borna_page = signed_in_client(communes.borna, "admin@borna.example").get("/verwaltung/rechnungen/").content.decode()
    assert "BORNA-0001" in borna_page
    assert "ZEITZ-0001" not in borna_page


def test_invoices_page_needs_a_commune_admin(fake, communes) -> None:
    assert host_client(communes.zeitz).get("/verwaltung/rechnungen/").status_code == 302
    with tenant_context(communes.zeitz):
        User.objects.create_user("staff@zeitz.example", ADMIN_PASSWORD, full_name="Staff", role=User.Role.STAFF)
    staff = signed_in_client(communes.zeitz, "staff@zeitz.example")
    assert staff.get("/verwaltung/rechnungen/").status_code == 403
    # The platform host has no such page.
    assert host_client().get("/verwaltung/rechnungen/").status_code == 404


def test_webhook_answers_only_on_the_platform_host(fake, communes) -> None:
    assert (
        host_client(communes.zeitz).post("/billing/stripe/webhook/", "{}", content_type="application/json").status_code
        == 404
    )


def test_operator_overview_is_for_operators_of_the_platform(fake, communes) -> None:
    _billed(communes.zeitz, "ZEITZ-0001", 1250)
    User.objects.create_user("nobody@example.org", ADMIN_PASSWORD, full_name="Nobody")
    operator = verified_operator_client("ops@example.org", Role.VIEWER)
    page = operator.get("/operator/billing/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "Zeitz" in page.content.decode()
    assert "12.50 €" in page.content.decode()

    other = host_client()
    other.post("/accounts/login/", {"username": "nobody@example.org", "password": ADMIN_PASSWORD})
    assert other.get("/operator/billing/").status_code == 403  # an account of the platform, but no operator
    # A commune admin's session is worth nothing on the platform host.
    zeitz_admin = signed_in_client(communes.zeitz, "admin@zeitz.example")
    stolen = host_client()
    stolen.cookies = zeitz_admin.cookies
    assert stolen.get("/operator/billing/").status_code == 302


def test_price_preview_prorates_the_rest_of_the_period(fake, communes) -> None:
    price = priced_service(3000)
    assert price_preview(communes.zeitz, price.service).prorated_cents is None  # no subscription yet

    now = timezone.now()
    account = _billed(communes.zeitz, "ZEITZ-0001", 1250)
    subscription = Subscription.objects.create(
        account=account,
        interval="month",
        stripe_id="sub_zeitz",
        status="active",
        current_period_start=now - timedelta(days=20),
        current_period_end=now + timedelta(days=10),
        state_at=now,
    )
    preview = price_preview(communes.zeitz, price.service, now=now)
    assert (preview.amount_cents, preview.currency, preview.interval) == (3000, "EUR", "month")
    assert preview.prorated_cents == 1000
    with translation.override("de"):
        html = render_to_string("billing/includes/price_preview.html", {"preview": preview})
    assert "30,00 €" in html
    assert "10,00 €" in html

    SubscriptionItem.objects.create(
        subscription=subscription, service=price.service, stripe_id="si_1", stripe_price_id="price_1", amount_cents=3000
    )
    assert price_preview(communes.zeitz, price.service).already_billed
    assert not price_preview(communes.borna, price.service).already_billed
    state = billing_state(communes.zeitz)
    assert (state.recurring_cents, state.open_invoices, state.open_cents) == (3000, 1, 1250)


def test_no_price_preview_when_billing_is_off(communes, settings) -> None:
    settings.STRIPE_API_KEY = ""
    assert price_preview(communes.zeitz, priced_service(3000).service) is None


def test_operator_overview_needs_the_same_queries_for_many_communes(fake, communes, django_assert_num_queries) -> None:
    from tenants.actions import register_commune
    from tenants.models import Commune, Municipality

    operator = verified_operator_client("ops@example.org", Role.VIEWER)
    _billed(communes.zeitz, "ZEITZ-0001", 1250)
    operator.get("/operator/billing/")  # warm up (session, content types)
    # 2 for the page, 5 for figures, flagged and unsent invoices, 4 for session, user, TOTP device
    # and role; no SET search_path (no switch)
    with django_assert_num_queries(11) as one:
        operator.get("/operator/billing/")
    taken = Commune.objects.values("ags")
    for municipality in Municipality.objects.exclude(ags__in=taken)[:20]:
        commune = register_commune(ags=municipality.ags, actor="test")
        _billed(commune, f"{commune.slug}-1", 100)
    with django_assert_num_queries(len(one.captured_queries)):
        page = operator.get("/operator/billing/")
    communes_table = page.content.decode().rsplit("<table>", 1)[1]
    assert communes_table.count("<tr>") == 22  # header + 21 communes


def test_upcoming_invoice_comes_from_stripe_or_is_estimated_when_stripe_is_down(
    fake, communes, django_capture_on_commit_callbacks, settings, closed_port
) -> None:
    from django.core.cache import cache

    from activations.services import activate_service
    from billing import services

    price = priced_service(3000)
    services.sync_catalog()
    with tenant_context(communes.zeitz), django_capture_on_commit_callbacks(execute=True):
        activate_service(service_slug=price.service.slug, actor="admin@zeitz.example")
    fake.prorations[fake.of_type("subscription")[0]["id"]] = 450
    admin = signed_in_client(communes.zeitz, "admin@zeitz.example")
    cache.clear()
    html = admin.get("/verwaltung/rechnungen/").content.decode()
    assert "34,50 € am" in html
    assert "Schätzung" not in html

    settings.STRIPE_API_BASE = closed_port
    cache.clear()
    html = admin.get("/verwaltung/rechnungen/").content.decode()
    assert "30,00 € am" in html
    assert "(Schätzung, netto)" in html
    assert host_client(communes.borna).get("/verwaltung/rechnungen/").status_code == 302


def test_commune_admin_sees_the_price_before_activating_a_priced_service(fake, communes) -> None:
    price = priced_service(amount_cents=1250)
    client = signed_in_client(communes.zeitz, "admin@zeitz.example")
    page = client.get(f"/verwaltung/leistungen/{price.service.slug}/aktivieren/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Price for your commune" in body
    assert "12,50" in body or "12.50" in body


def test_admins_of_a_suspended_commune_can_still_open_their_invoices(fake, communes) -> None:
    from tenants import actions

    _billed(communes.zeitz, "KOM-0001", 1250)
    client = signed_in_client(communes.zeitz, "admin@zeitz.example")
    actions.suspend_commune(communes.zeitz, actor="billing", reason="Zahlungsverzug")
    assert client.get("/").status_code == 503
    assert client.get("/api/v1/commune/").status_code == 503
    invoices = client.get("/verwaltung/rechnungen/")
    assert invoices.status_code == 200
    assert "KOM-0001" in invoices.content.decode()


def test_operator_console_shows_and_filters_billing_state_per_commune(fake, communes) -> None:
    account = _billed(communes.zeitz, "ZEITZ-0009", 1250)
    BillingAccount.objects.filter(pk=account.pk).update(past_due_since=timezone.now() - timedelta(days=3))
    operator = verified_operator_client("ops@example.org", Role.VIEWER)
    overdue = operator.get("/operator/?billing=overdue", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "/operator/tenants/zeitz/" in overdue
    assert "/operator/tenants/borna/" not in overdue
    without = operator.get("/operator/?billing=none", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "/operator/tenants/borna/" in without
    assert "/operator/tenants/zeitz/" not in without
    detail = operator.get("/operator/tenants/zeitz/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1 open invoice (12.50 €)" in detail
    assert "overdue since" in detail
