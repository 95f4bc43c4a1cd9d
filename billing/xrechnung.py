"""XRechnung 3.0 (CII syntax) for a commune's finalised Stripe invoice.

The document is built with drafthorse (the UN/CEFACT CII data model, maintained by pretix, and
the EN 16931 XSD it ships), from the Stripe invoice object stored with the invoice
(``Invoice.stripe_data``: lines with periods, tax, totals), the commune's billing account (buyer,
Leitweg-ID as BT-10) and the provider's ``KOMMUNAL_INVOICE_SELLER`` settings (seller, contact,
bank account for the SEPA credit transfer, payment means 58).

``build`` refuses (``XRechnungError`` with every problem found) rather than produce a document
that is not a valid XRechnung: the data is checked first, then the XML is validated against the
EN 16931 CII schema and against the XRechnung business rules checked here (``RULES``).
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from drafthorse.models.accounting import ApplicableTradeTax
from drafthorse.models.document import Document
from drafthorse.models.party import TaxRegistration
from drafthorse.models.payment import PaymentMeans, PaymentTerms
from drafthorse.models.tradelines import LineItem
from lxml import etree

from billing.models import Invoice

logger = logging.getLogger(__name__)

SPECIFICATION = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
BUSINESS_PROCESS = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
SCHEMA = "FACTUR-X_EN16931"  # drafthorse's EN 16931 profile of the UN/CEFACT CII D16B XSD
SEPA_CREDIT_TRANSFER = "58"
# Leitweg-ID: coarse address (2-12 digits), optional fine address, check digits (KoSIT, v2.0.2).
LEITWEG_ID = re.compile(r"^[0-9]{2,12}(-[0-9A-Za-z]{1,30})?-[0-9]{2}$")
CENT = Decimal("0.01")
NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
}
_SETTLEMENT = "//ram:ApplicableHeaderTradeSettlement"
_SELLER = "//ram:SellerTradeParty"
# XRechnung rules checked on the produced XML (rule id, XPath that must match, what it requires).
RULES = [
    ("BR-DE-15", "//ram:BuyerReference[normalize-space()]", "buyer reference (BT-10, Leitweg-ID)"),
    ("BR-DE-21", f"//ram:GuidelineSpecifiedDocumentContextParameter/ram:ID[.='{SPECIFICATION}']", "XRechnung 3.0 id"),
    ("BR-DE-2", f"{_SELLER}/ram:DefinedTradeContact", "seller contact (BG-6)"),
    ("BR-DE-3", f"{_SELLER}/ram:PostalTradeAddress/ram:CityName[normalize-space()]", "seller city (BT-37)"),
    ("BR-DE-4", f"{_SELLER}/ram:PostalTradeAddress/ram:PostcodeCode[normalize-space()]", "seller post code (BT-38)"),
    ("BR-DE-5", f"{_SELLER}/ram:DefinedTradeContact/ram:PersonName[normalize-space()]", "seller contact (BT-41)"),
    (
        "BR-DE-6",
        f"{_SELLER}/ram:DefinedTradeContact/ram:TelephoneUniversalCommunication/ram:CompleteNumber[normalize-space()]",
        "seller contact telephone (BT-42)",
    ),
    (
        "BR-DE-7",
        f"{_SELLER}/ram:DefinedTradeContact/ram:EmailURIUniversalCommunication/ram:URIID[normalize-space()]",
        "seller contact e-mail (BT-43)",
    ),
    ("BR-DE-8", "//ram:BuyerTradeParty/ram:PostalTradeAddress/ram:CityName[normalize-space()]", "buyer city (BT-52)"),
    (
        "BR-DE-9",
        "//ram:BuyerTradeParty/ram:PostalTradeAddress/ram:PostcodeCode[normalize-space()]",
        "buyer post code (BT-53)",
    ),
    ("BR-DE-1", f"{_SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans", "payment instructions (BG-16)"),
    (
        "BR-DE-23",
        f"{_SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans[ram:TypeCode='58']"
        "/ram:PayeePartyCreditorFinancialAccount/ram:IBANID[normalize-space()]",
        "IBAN for the SEPA credit transfer (BT-84)",
    ),
    (
        "BR-DE-16",
        f"{_SELLER}/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA' and normalize-space()]",
        "seller VAT id (BT-31)",
    ),
    ("BT-34", f"{_SELLER}/ram:URIUniversalCommunication/ram:URIID[normalize-space()]", "seller electronic address"),
    (
        "BT-49",
        "//ram:BuyerTradeParty/ram:URIUniversalCommunication/ram:URIID[normalize-space()]",
        "buyer electronic address",
    ),
]


class XRechnungError(ValueError):
    """The invoice's data cannot make a valid XRechnung; ``problems`` says why."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Line:
    description: str
    net_cents: int
    quantity: int
    period_start: date | None
    period_end: date | None
    tax_cents: int
    tax_percent: Decimal


def buyer_reference(invoice: Invoice) -> str:
    """BT-10: the Leitweg-ID, or the commune's customer reference when it requires none."""
    account = invoice.account
    return account.leitweg_id or ("" if account.leitweg_id_required else f"KOMMUNAL-{account.commune.ags}")


def filename(invoice: Invoice) -> str:
    return f"XRechnung-{re.sub(r'[^0-9A-Za-z_-]', '_', invoice.number)}.xml"


def build(invoice: Invoice) -> bytes:
    """The XRechnung of ``invoice`` as UTF-8 XML, validated; ``XRechnungError`` when it cannot be valid."""
    problems = data_problems(invoice)
    if problems:
        raise XRechnungError(problems)
    try:
        xml = _document(invoice).serialize(schema=None)
    except (TypeError, ValueError) as error:
        raise XRechnungError([f"document could not be built: {error}"]) from error
    problems = validate(xml)
    if problems:
        raise XRechnungError(problems)
    return xml


def flag(invoice: Invoice) -> None:
    """Record on a finalised ``invoice`` why it cannot make a valid XRechnung (``""`` when it can).

    Never raises: the invoice's state (stored by the webhook in the same transaction) matters more.
    """
    if invoice.status in (Invoice.Status.DRAFT, Invoice.Status.VOID):
        problem = ""
    else:
        try:
            build(invoice)
            problem = ""
        except XRechnungError as error:
            problem = str(error)
        except Exception as error:
            logger.exception("XRechnung of invoice %s could not be checked", invoice.pk)
            problem = f"XRechnung could not be checked ({type(error).__name__})"
    if problem != invoice.xrechnung_problem:
        invoice.xrechnung_problem = problem
        Invoice.objects.filter(pk=invoice.pk).update(xrechnung_problem=problem)


def data_problems(invoice: Invoice) -> list[str]:
    """What is missing or inconsistent in the invoice, the buyer or the seller (in words for operators)."""
    problems = []
    account = invoice.account
    if invoice.status not in (Invoice.Status.OPEN, Invoice.Status.PAID, Invoice.Status.UNCOLLECTIBLE):
        problems.append(f"invoice is {invoice.status}, not finalised")
    if not invoice.number:
        problems.append("invoice has no number")
    if account.leitweg_id and not LEITWEG_ID.match(account.leitweg_id):
        problems.append(f"Leitweg-ID {account.leitweg_id!r} is not a valid Leitweg-ID")
    if not buyer_reference(invoice):
        problems.append("commune requires a Leitweg-ID (BT-10) but none is set")
    for field, label in (("postal_code", "post code"), ("city", "city"), ("address_line1", "street")):
        if not getattr(account, field):
            problems.append(f"buyer {label} is missing")
    seller = settings.KOMMUNAL_INVOICE_SELLER
    for key in ("name", "street", "postal_code", "city", "vat_id", "iban", "contact_name", "contact_phone"):
        if not seller.get(key):
            problems.append(f"seller setting KOMMUNAL_INVOICE_SELLER_{key.upper()} is missing")
    if not seller.get("contact_email"):
        problems.append("seller setting KOMMUNAL_INVOICE_SELLER_CONTACT_EMAIL is missing")
    try:
        lines = lines_of(invoice.stripe_data)
    except (AttributeError, KeyError, TypeError, ValueError) as error:
        return [*problems, f"Stripe invoice data unusable ({type(error).__name__}: {error})"]
    if not lines:
        problems.append("Stripe invoice data has no lines")
    elif sum(line.net_cents + line.tax_cents for line in lines) != _total_cents(invoice):
        problems.append("lines and tax do not add up to the invoice total")
    if _total_cents(invoice) < 0:
        problems.append("credit notes (negative totals) are not issued as XRechnung")
    return problems


def lines_of(data: dict[str, Any]) -> list[Line]:
    """The invoice lines of a Stripe invoice object (net amount, period, tax)."""
    default_rates = [rate["percentage"] for rate in data.get("default_tax_rates") or []]
    lines = []
    for item in data["lines"]["data"]:
        period = item.get("period") or {}
        taxes = item.get("taxes") or item.get("tax_amounts") or []
        tax_cents = sum(int(tax["amount"]) for tax in taxes)
        rates = [rate["percentage"] for rate in item.get("tax_rates") or []] or default_rates
        if len(rates) > 1:
            raise ValueError("more than one tax rate on a line")
        percent = Decimal(str(rates[0])).quantize(CENT) if rates else Decimal(0)
        if tax_cents and not rates:
            raise ValueError("a line is taxed but carries no tax rate")
        lines.append(
            Line(
                description=str(item.get("description") or "")[:500],
                net_cents=int(item["amount"]),
                quantity=int(item.get("quantity") or 1),
                period_start=_date(period.get("start")),
                period_end=_date(period.get("end")),
                tax_cents=tax_cents,
                tax_percent=percent,
            )
        )
    return lines


def validate(xml: bytes) -> list[str]:
    """Problems of ``xml`` as an XRechnung: the EN 16931 CII schema, then the rules in ``RULES``."""
    from drafthorse.utils import validate_xml

    try:
        validate_xml(xml, schema=SCHEMA)
    except etree.XMLSyntaxError as error:
        return [f"schema: {error}"]
    root = etree.fromstring(xml)
    return [f"{rule}: {what} missing" for rule, xpath, what in RULES if not root.xpath(xpath, namespaces=NS)]


def _document(invoice: Invoice) -> Document:
    account = invoice.account
    seller = settings.KOMMUNAL_INVOICE_SELLER
    lines = lines_of(invoice.stripe_data)
    doc = Document()
    doc.context.business_parameter.id = BUSINESS_PROCESS
    doc.context.guideline_parameter.id = SPECIFICATION
    doc.header.id = invoice.number
    doc.header.type_code = "380"
    doc.header.issue_date_time = invoice.created.astimezone(UTC).date()

    agreement = doc.trade.agreement
    agreement.buyer_reference = buyer_reference(invoice)
    agreement.seller.name = seller["name"]
    agreement.seller.address.line_one = seller["street"]
    agreement.seller.address.postcode = seller["postal_code"]
    agreement.seller.address.city_name = seller["city"]
    agreement.seller.address.country_id = seller["country"]
    agreement.seller.electronic_address.uri_ID = ("EM", seller["contact_email"])
    agreement.seller.contact.person_name = seller["contact_name"]
    agreement.seller.contact.telephone.number = seller["contact_phone"]
    agreement.seller.contact.email.address = seller["contact_email"]
    agreement.seller.tax_registrations.add(TaxRegistration(id=("VA", seller["vat_id"])))
    agreement.buyer.name = account.name
    agreement.buyer.address.line_one = account.address_line1
    if account.address_line2:
        agreement.buyer.address.line_two = account.address_line2
    agreement.buyer.address.postcode = account.postal_code
    agreement.buyer.address.city_name = account.city
    agreement.buyer.address.country_id = "DE"
    agreement.buyer.electronic_address.uri_ID = ("EM", account.einvoice_email or account.email)

    settlement = doc.trade.settlement
    settlement.currency_code = invoice.currency.upper()
    settlement.payment_reference = invoice.number
    means = PaymentMeans()
    means.type_code = SEPA_CREDIT_TRANSFER
    means.payee_account.iban = seller["iban"].replace(" ", "")
    means.payee_account.account_name = seller["name"]
    if seller.get("bic"):
        means.payee_institution.bic = seller["bic"]
    settlement.payment_means.add(means)
    terms = PaymentTerms()
    if invoice.due_date:
        due = invoice.due_date.astimezone(UTC).date()
        terms.description = f"Zahlbar ohne Abzug bis {due:%d.%m.%Y} per Überweisung unter Angabe der Rechnungsnummer."
        terms.due = due
    else:
        terms.description = "Zahlbar ohne Abzug per Überweisung unter Angabe der Rechnungsnummer."
    settlement.terms.add(terms)

    starts = [line.period_start for line in lines if line.period_start]
    ends = [line.period_end for line in lines if line.period_end]
    if starts and ends:
        settlement.period.start = min(starts)
        settlement.period.end = max(ends)

    breakdown: dict[Decimal, list[int]] = defaultdict(lambda: [0, 0])
    for number, line in enumerate(lines, start=1):
        doc.trade.items.add(_line_item(number, line))
        breakdown[line.tax_percent][0] += line.net_cents
        breakdown[line.tax_percent][1] += line.tax_cents
    for percent, (net, tax) in sorted(breakdown.items()):
        trade_tax = ApplicableTradeTax()
        trade_tax.type_code = "VAT"
        trade_tax.category_code = "S" if percent else "E"
        if not percent:
            trade_tax.exemption_reason = "Steuerfrei"
        trade_tax.rate_applicable_percent = percent
        trade_tax.basis_amount = _euros(net)
        trade_tax.calculated_amount = _euros(tax)
        settlement.trade_tax.add(trade_tax)

    net_total = sum(line.net_cents for line in lines)
    tax_total = sum(line.tax_cents for line in lines)
    summation = settlement.monetary_summation
    summation.line_total = _euros(net_total)
    summation.charge_total = Decimal("0.00")
    summation.allowance_total = Decimal("0.00")
    summation.tax_basis_total = _euros(net_total)
    summation.tax_total = (_euros(tax_total), invoice.currency.upper())
    summation.grand_total = _euros(net_total + tax_total)
    summation.prepaid_total = _euros(invoice.amount_paid_cents)
    summation.due_amount = _euros(net_total + tax_total - invoice.amount_paid_cents)
    return doc


def _line_item(number: int, line: Line) -> LineItem:
    # A credit (proration of a removed service) is a negative quantity at a positive price (BR-27).
    quantity = abs(line.quantity) * (-1 if line.net_cents < 0 else 1)
    item = LineItem()
    item.document.line_id = str(number)
    item.product.name = line.description or "Leistung"
    item.agreement.net.amount = (_euros(abs(line.net_cents)) / abs(line.quantity)).quantize(CENT, ROUND_HALF_UP)
    item.delivery.billed_quantity = (Decimal(quantity), "C62")
    item.settlement.trade_tax.type_code = "VAT"
    item.settlement.trade_tax.category_code = "S" if line.tax_percent else "E"
    item.settlement.trade_tax.rate_applicable_percent = line.tax_percent
    if line.period_start and line.period_end:
        item.settlement.period.start = line.period_start
        item.settlement.period.end = line.period_end
    item.settlement.monetary_summation.total_amount = _euros(line.net_cents)
    return item


def _total_cents(invoice: Invoice) -> int:
    total = invoice.stripe_data.get("total")
    return int(total) if isinstance(total, int) else invoice.amount_due_cents + invoice.amount_paid_cents


def _euros(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)


def _date(timestamp: Any) -> date | None:
    return datetime.fromtimestamp(timestamp, tz=UTC).date() if isinstance(timestamp, int) and timestamp else None
