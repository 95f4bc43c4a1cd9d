"""XRechnung of a commune's invoice: content field by field, the schema, refusal, isolation, delivery."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from lxml import etree

from billing import selectors, xrechnung
from billing.models import BillingAccount, Invoice, Subscription, SubscriptionItem
from catalog.models import Service
from operators import actions
from operators.models import Role
from tests.billing.conftest import deliver, event, priced_service
from tests.helpers import host_client, signed_in_client
from tests.operator_helpers import make_operator, verified_operator_client

pytestmark = pytest.mark.django_db

SELLER = {
    "name": "Kommunal Dienste GmbH",
    "street": "Am Markt 1",
    "postal_code": "04109",
    "city": "Leipzig",
    "country": "DE",
    "vat_id": "DE123456789",
    "iban": "DE02 1203 0000 0000 2020 51",
    "bic": "BYLADEM1001",
    "contact_name": "Rechnungsstelle",
    "contact_phone": "+49 341 1234567",
    "contact_email": "rechnung@kommunal.example",
}
LEITWEG = "14523001-ZEITZ1-72"
JAN_1 = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())
FEB_1 = int(datetime(2026, 2, 1, tzinfo=UTC).timestamp())
JAN_15 = int(datetime(2026, 1, 15, tzinfo=UTC).timestamp())


@pytest.fixture(autouse=True)
def seller(settings) -> None:
    settings.KOMMUNAL_INVOICE_SELLER = dict(SELLER)


def stripe_invoice(slug: str, number: str, *, customer: str | None = None) -> dict:
    """A finalised Stripe invoice: two priced services at 19 % VAT and a proration credit."""
    lines = [
        ("Bürgerservice Meldebescheinigung", 1250, 238),
        ("Online-Terminvergabe", 4900, 931),
        ("Restzeit Online-Terminvergabe (anteilig)", -2450, -466),
    ]
    return {
        "id": f"in_{slug}_{number}",
        "object": "invoice",
        "customer": customer or f"cus_{slug}",
        "number": number,
        "status": "open",
        "currency": "eur",
        "created": JAN_15,
        "due_date": JAN_15 + 30 * 86400,
        "period_start": JAN_1,
        "period_end": FEB_1,
        "subtotal": 3700,
        "total": 4403,
        "amount_due": 4403,
        "amount_paid": 0,
        "invoice_pdf": f"https://pay.stripe.example/{slug}/pdf",
        "lines": {
            "object": "list",
            "data": [
                {
                    "id": f"il_{index}",
                    "description": description,
                    "amount": amount,
                    "quantity": 1,
                    "period": {"start": JAN_1, "end": FEB_1},
                    "taxes": [{"amount": tax, "tax_rate_details": {"tax_rate": "txr_19"}}],
                    "tax_rates": [{"id": "txr_19", "percentage": 19.0}],
                }
                for index, (description, amount, tax) in enumerate(lines)
            ],
        },
    }


def account_of(commune, **fields) -> BillingAccount:
    values = {
        "stripe_customer_id": f"cus_{commune.slug}",
        "name": f"Stadtverwaltung {commune.name}",
        "email": f"kasse@{commune.slug}.example",
        "einvoice_email": f"erechnung@{commune.slug}.example",
        "address_line1": "Altmarkt 1",
        "postal_code": "06712",
        "city": commune.name,
        "leitweg_id": LEITWEG,
        **fields,
    }
    return BillingAccount.objects.create(commune=commune, **values)


def finalised(commune, number: str = "ZEITZ-0001", **account_fields) -> Invoice:
    """An invoice stored from a signed ``invoice.finalized`` webhook event, as in production."""
    account_of(commune, **account_fields)
    assert deliver(event("invoice.finalized", stripe_invoice(commune.slug, number), created=JAN_15)).status_code == 200
    return Invoice.objects.get(number=number)


def xpath(root, path: str) -> list:
    return root.xpath(path, namespaces=xrechnung.NS)


def text(root, path: str) -> str:
    found = xpath(root, path)
    assert len(found) == 1, path
    return found[0].text


def test_xrechnung_fields_totals_and_vat(fake, communes) -> None:
    invoice = finalised(communes.zeitz)
    assert invoice.xrechnung_problem == ""
    root = etree.fromstring(xrechnung.build(invoice))

    assert text(root, "//ram:GuidelineSpecifiedDocumentContextParameter/ram:ID") == xrechnung.SPECIFICATION
    assert text(root, "//rsm:ExchangedDocument/ram:ID") == "ZEITZ-0001"
    assert text(root, "//rsm:ExchangedDocument/ram:TypeCode") == "380"
    assert text(root, "//ram:BuyerReference") == LEITWEG  # BT-10
    assert text(root, "//ram:SellerTradeParty/ram:Name") == "Kommunal Dienste GmbH"
    assert text(root, "//ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID") == "DE123456789"
    assert text(root, "//ram:SellerTradeParty/ram:DefinedTradeContact/ram:PersonName") == "Rechnungsstelle"
    assert text(root, "//ram:BuyerTradeParty/ram:Name") == "Stadtverwaltung Zeitz"
    assert text(root, "//ram:BuyerTradeParty/ram:PostalTradeAddress/ram:PostcodeCode") == "06712"
    assert text(root, "//ram:BuyerTradeParty/ram:URIUniversalCommunication/ram:URIID") == "erechnung@zeitz.example"
    # Payment: SEPA credit transfer to the provider's account, due date and terms.
    assert text(root, "//ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode") == "58"
    assert text(root, "//ram:PayeePartyCreditorFinancialAccount/ram:IBANID") == "DE02120300000000202051"
    assert text(root, "//ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID") == "BYLADEM1001"
    assert text(root, "//ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/*") == "20260214"
    assert "14.02.2026" in text(root, "//ram:SpecifiedTradePaymentTerms/ram:Description")
    # Lines: each service with its period; the credit is a negative quantity at a positive price.
    lines = xpath(root, "//ram:IncludedSupplyChainTradeLineItem")
    assert [text(line, "ram:SpecifiedTradeProduct/ram:Name") for line in lines][:2] == [
        "Bürgerservice Meldebescheinigung",
        "Online-Terminvergabe",
    ]
    assert [text(line, ".//ram:LineTotalAmount") for line in lines] == ["12.50", "49.00", "-24.50"]
    assert text(lines[2], ".//ram:BilledQuantity") == "-1"
    assert text(lines[2], ".//ram:NetPriceProductTradePrice/ram:ChargeAmount") == "24.50"
    assert text(lines[0], ".//ram:BillingSpecifiedPeriod/ram:StartDateTime/*") == "20260101"
    # VAT breakdown and totals.
    assert text(root, f"{xrechnung._SETTLEMENT}/ram:ApplicableTradeTax/ram:RateApplicablePercent") == "19.00"
    assert text(root, f"{xrechnung._SETTLEMENT}/ram:ApplicableTradeTax/ram:CategoryCode") == "S"
    assert text(root, f"{xrechnung._SETTLEMENT}/ram:ApplicableTradeTax/ram:BasisAmount") == "37.00"
    assert text(root, f"{xrechnung._SETTLEMENT}/ram:ApplicableTradeTax/ram:CalculatedAmount") == "7.03"
    assert text(root, "//ram:LineTotalAmount[parent::ram:SpecifiedTradeSettlementHeaderMonetarySummation]") == "37.00"
    assert text(root, "//ram:TaxTotalAmount") == "7.03"
    assert text(root, "//ram:GrandTotalAmount") == "44.03"
    assert text(root, "//ram:DuePayableAmount") == "44.03"
    assert Decimal(text(root, "//ram:GrandTotalAmount")) * 100 == invoice.amount_due_cents


def test_document_passes_the_schema_and_the_checker_catches_a_broken_one(fake, communes) -> None:
    xml = xrechnung.build(finalised(communes.zeitz))
    assert xrechnung.validate(xml) == []
    root = etree.fromstring(xml)
    for node in xpath(root, "//ram:BuyerReference"):
        node.getparent().remove(node)
    assert xrechnung.validate(etree.tostring(root)) == ["BR-DE-15: buyer reference (BT-10, Leitweg-ID) missing"]
    # An element the CII schema does not allow where it stands fails the XSD.
    broken = xml.replace(b"<ram:BuyerReference>", b"<ram:Nonsense/><ram:BuyerReference>")
    assert xrechnung.validate(broken)[0].startswith("schema:")


def test_missing_leitweg_id_is_refused_and_flagged_to_operators(fake, communes) -> None:
    operator = verified_operator_client("ops@example.org", Role.VIEWER)
    invoice = finalised(communes.zeitz, leitweg_id="")
    assert "Leitweg-ID" in invoice.xrechnung_problem
    with pytest.raises(xrechnung.XRechnungError) as refused:
        xrechnung.build(invoice)
    assert refused.value.problems == ["commune requires a Leitweg-ID (BT-10) but none is set"]

    admin = signed_in_client(communes.zeitz, "admin@zeitz.example")
    page = admin.get("/verwaltung/rechnungen/").content.decode()
    assert f"/verwaltung/rechnungen/{invoice.pk}/xrechnung.xml" not in page
    assert admin.get(f"/verwaltung/rechnungen/{invoice.pk}/xrechnung.xml").status_code == 409

    operators = operator.get("/operator/billing/").content.decode()
    assert "ZEITZ-0001" in operators
    assert "Leitweg-ID" in operators

    # The commune that does not require a Leitweg-ID gets its customer reference in BT-10.
    BillingAccount.objects.filter(pk=invoice.account_id).update(leitweg_id_required=False)
    invoice.refresh_from_db()
    root = etree.fromstring(xrechnung.build(invoice))
    assert text(root, "//ram:BuyerReference") == f"KOMMUNAL-{communes.zeitz.ags}"


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"leitweg_id": "not-a-leitweg-id"}, "is not a valid Leitweg-ID"),
        ({"postal_code": ""}, "buyer post code is missing"),
    ],
)
def test_incomplete_buyer_is_refused(fake, communes, change, problem) -> None:
    invoice = finalised(communes.zeitz, **change)
    with pytest.raises(xrechnung.XRechnungError) as refused:
        xrechnung.build(invoice)
    assert any(problem in text for text in refused.value.problems)


def test_incomplete_seller_settings_are_refused(fake, communes, settings) -> None:
    invoice = finalised(communes.zeitz)
    settings.KOMMUNAL_INVOICE_SELLER = {**SELLER, "iban": "", "contact_phone": ""}
    with pytest.raises(xrechnung.XRechnungError) as refused:
        xrechnung.build(invoice)
    assert refused.value.problems == [
        "seller setting KOMMUNAL_INVOICE_SELLER_IBAN is missing",
        "seller setting KOMMUNAL_INVOICE_SELLER_CONTACT_PHONE is missing",
    ]


def test_lines_that_do_not_add_up_are_refused(fake, communes) -> None:
    invoice = finalised(communes.zeitz)
    invoice.stripe_data["total"] = 9999
    with pytest.raises(xrechnung.XRechnungError) as refused:
        xrechnung.build(invoice)
    assert refused.value.problems == ["lines and tax do not add up to the invoice total"]


def test_commune_admin_downloads_own_xrechnung_never_another_communes(fake, communes) -> None:
    zeitz = finalised(communes.zeitz, "ZEITZ-0001")
    borna = finalised(communes.borna, "BORNA-0001")
    admin = signed_in_client(communes.zeitz, "admin@zeitz.example")
    page = admin.get("/verwaltung/rechnungen/").content.decode()
    assert f"/verwaltung/rechnungen/{zeitz.pk}/xrechnung.xml" in page

    download = admin.get(f"/verwaltung/rechnungen/{zeitz.pk}/xrechnung.xml")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/xml"
    assert 'filename="XRechnung-ZEITZ-0001.xml"' in download["Content-Disposition"]
    assert text(etree.fromstring(download.content), "//ram:BuyerReference") == LEITWEG
    # Borna's invoice id on Zeitz's host: not found, nothing of Borna's in the answer.
    other = admin.get(f"/verwaltung/rechnungen/{borna.pk}/xrechnung.xml")
    assert other.status_code == 404
    assert b"BORNA" not in other.content


def test_provider_sends_xrechnung_to_the_e_invoice_address(fake, communes) -> None:
    zeitz = finalised(communes.zeitz, "ZEITZ-0001")
    finalised(communes.borna, "BORNA-0001", leitweg_id="")

    call_command("send_xrechnungen")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["erechnung@zeitz.example"]
    assert "ZEITZ-0001" in message.subject
    name, content, mimetype = message.attachments[0]
    assert (name, mimetype) == ("XRechnung-ZEITZ-0001.xml", "application/xml")
    assert text(etree.fromstring(content), "//ram:BuyerReference") == LEITWEG
    zeitz.refresh_from_db()
    assert zeitz.xrechnung_sent_at is not None
    # Sent once: a second run sends nothing; the broken one was never sent.
    call_command("send_xrechnungen")
    assert len(mail.outbox) == 1
    assert Invoice.objects.get(number="BORNA-0001").xrechnung_sent_at is None


def test_commune_admin_completes_the_leitweg_id_and_the_flag_clears(fake, communes) -> None:
    invoice = finalised(communes.zeitz, leitweg_id="")
    admin = signed_in_client(communes.zeitz, "admin@zeitz.example")
    form = {
        "name": "Stadtverwaltung Zeitz",
        "address_line1": "Altmarkt 1",
        "postal_code": "06712",
        "city": "Zeitz",
        "email": "kasse@zeitz.example",
        "einvoice_email": "erechnung@zeitz.example",
        "leitweg_id_required": "on",
    }
    refused = admin.post("/verwaltung/rechnungen/", {**form, "leitweg_id": "14523001"})
    assert refused.status_code == 200
    assert "Leitweg-ID" in refused.content.decode()
    assert BillingAccount.objects.get(commune=communes.zeitz).leitweg_id == ""

    assert admin.post("/verwaltung/rechnungen/", {**form, "leitweg_id": LEITWEG}).status_code == 302
    invoice.refresh_from_db()
    assert invoice.xrechnung_problem == ""
    assert admin.get(f"/verwaltung/rechnungen/{invoice.pk}/xrechnung.xml").status_code == 200
    # Zeitz's form never touched Borna's account.
    assert not BillingAccount.objects.filter(commune=communes.borna).exists()


def _subscribed(commune, services_cents: list[tuple[Service, int]], interval: str = "month") -> None:
    account = BillingAccount.objects.get_or_create(
        commune=commune, defaults={"name": commune.name, "email": f"kasse@{commune.slug}.example"}
    )[0]
    subscription = Subscription.objects.create(
        account=account,
        interval=interval,
        stripe_id=f"sub_{commune.slug}_{interval}",
        status="active",
        state_at=datetime.now(UTC),
    )
    for service, cents in services_cents:
        SubscriptionItem.objects.create(
            subscription=subscription,
            service=service,
            stripe_id=f"si_{commune.slug}_{service.pk}_{interval}",
            stripe_price_id="price_x",
            amount_cents=cents,
        )


def test_billing_figures_by_service_and_land_and_receivables(fake, communes) -> None:
    communes.borna.land = "Sachsen"
    communes.borna.save(update_fields=["land"])
    operator = verified_operator_client("ops@example.org", Role.VIEWER)
    user, _device = make_operator("api@example.org", Role.VIEWER, device=False)
    _token, key = actions.create_token(user, name="test", actor="test")
    termine, meldung = priced_service(4900).service, priced_service(1250).service
    finalised(communes.zeitz, "ZEITZ-0001")  # open, due 14.02.2026: overdue now
    _subscribed(communes.zeitz, [(termine, 4900), (meldung, 1250)])
    _subscribed(communes.zeitz, [(meldung, 12000)], interval="year")
    _subscribed(communes.borna, [(termine, 4900)])
    Invoice.objects.create(
        account=BillingAccount.objects.get(commune=communes.borna),
        stripe_id="in_b",
        number="BORNA-1",
        status="open",
        amount_due_cents=5831,
        created=datetime.now(UTC),
        state_at=datetime.now(UTC),
        due_date=datetime(2099, 1, 1, tzinfo=UTC),
    )
    Invoice.objects.create(
        account=BillingAccount.objects.get(commune=communes.borna),
        stripe_id="in_b0",
        number="BORNA-0",
        status="paid",
        amount_due_cents=5831,
        amount_paid_cents=5831,
        created=datetime.now(UTC),
        state_at=datetime.now(UTC),
    )

    with CaptureQueriesContext(connection) as queries:
        figures = selectors.billing_figures()
    # One SELECT per figure, all in the public schema: no schema is visited.
    statements = [query["sql"] for query in queries.captured_queries if not query["sql"].startswith("SET ")]
    assert len(statements) == 3
    assert {query["sql"] for query in queries.captured_queries} - set(statements) <= {'SET search_path = "public"'}

    assert figures.mrr_by_service == [
        {"service": termine.slug, "title": termine.title_de, "mrr_cents": 9800},
        {"service": meldung.slug, "title": meldung.title_de, "mrr_cents": 1250 + 1000},
    ]
    assert figures.mrr_by_land == [
        {"land": communes.zeitz.land, "mrr_cents": 4900 + 1250 + 1000},
        {"land": "Sachsen", "mrr_cents": 4900},
    ]
    assert figures.mrr_cents == 9800 + 2250
    assert (figures.open_cents, figures.open_invoices) == (4403 + 5831, 2)
    assert (figures.overdue_cents, figures.overdue_invoices) == (4403, 1)

    page = operator.get("/operator/billing/").content.decode()
    assert "120,50 €" in page
    assert "Sachsen" in page

    api = host_client().get("/api/v1/operator/billing/figures/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.status_code == 200
    assert api.json()["mrr_cents"] == 12050
    assert api.json()["overdue_cents"] == 4403
    assert host_client().get("/api/v1/operator/billing/figures/").status_code == 401


def test_operator_sends_one_xrechnung_from_the_console(fake, communes) -> None:
    operator = verified_operator_client("ops@example.org", Role.OPERATOR)
    viewer = verified_operator_client("viewer@example.org", Role.VIEWER)
    invoice = finalised(communes.zeitz)
    page = operator.get("/operator/billing/").content.decode()
    assert f"/operator/billing/invoices/{invoice.pk}/send-xrechnung/" in page

    assert viewer.post(f"/operator/billing/invoices/{invoice.pk}/send-xrechnung/").status_code == 403
    assert mail.outbox == []
    response = operator.post(f"/operator/billing/invoices/{invoice.pk}/send-xrechnung/")
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [["erechnung@zeitz.example"]]
    invoice.refresh_from_db()
    assert invoice.xrechnung_sent_at is not None
    assert operator.post("/operator/billing/invoices/999999/send-xrechnung/").status_code == 404
