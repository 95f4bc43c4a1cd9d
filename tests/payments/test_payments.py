"""Fee payment: modes, the local Checkout on the commune's connected account, signed Connect webhooks."""

from __future__ import annotations

import copy
import re
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django_tenants.utils import tenant_context

from activations.models import PaymentMode
from citizen_requests import services as requests
from citizen_requests.models import CitizenRequest, PaymentStatus, Status
from payments.models import PaymentEvent
from tests.catalog_helpers import BULKY_WASTE, activate, post_form, staff_user
from tests.helpers import signed_in_client
from tests.payments.conftest import deliver

pytestmark = pytest.mark.django_db


def _submit(communes, client) -> CitizenRequest:  # type: ignore[no-untyped-def]
    response = post_form(client, "sperrmuell", BULKY_WASTE)
    assert response.status_code == 302
    assert response["Location"].startswith("/zahlung/")
    with tenant_context(communes.zeitz):
        return CitizenRequest.objects.get()


def _pay_at_checkout(fake, client, request: CitizenRequest) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Press "pay now", then what Stripe's hosted page does on "pay"; returns the event it sent."""
    from payments import links

    response = client.post(links.path(request.tracking_number))
    assert response.status_code == 302
    session_id = response["Location"].rsplit("/", 1)[-1]
    assert response["Location"] == f"{fake.base_url}/checkout/{session_id}"
    fake.pay(session_id)
    return fake.events[-1]


def _payment_status(communes, tracking_number: str) -> str:  # type: ignore[no-untyped-def]
    with tenant_context(communes.zeitz):
        return CitizenRequest.objects.get(tracking_number=tracking_number).payment_status


def test_before_submission_the_citizen_pays_on_the_communes_account(paying, fake, zeitz_client) -> None:
    request = _submit(paying, zeitz_client)
    assert request.payment_status == PaymentStatus.UNPAID
    assert request.fee == Decimal("25.00")
    event = _pay_at_checkout(fake, zeitz_client, request)
    session = event["data"]["object"]
    assert session["amount_total"] == 2500
    assert session["metadata"] == {"tracking_number": request.tracking_number}
    with tenant_context(paying.zeitz):
        from payments.services import account_of

        assert event["account"] == account_of(paying.zeitz).account_id  # type: ignore[union-attr]
    assert deliver(event).content == b"applied"
    assert _payment_status(paying, request.tracking_number) == PaymentStatus.PAID
    status_page = zeitz_client.post(
        "/status/", {"tracking_number": request.tracking_number, "email": "erika@example.org"}, follow=True
    ).content.decode()
    assert "bezahlt" in status_page
    staff_user(paying.zeitz, "sb@zeitz.de")
    inbox = signed_in_client(paying.zeitz, "sb@zeitz.de").get("/verwaltung/anfragen/").content.decode()
    assert f"{request.tracking_number}</a></td><td>Sperrmüllabholung anmelden</td>" in inbox
    assert "<td>bezahlt</td>" in inbox


def test_a_replayed_event_changes_nothing(paying, fake, zeitz_client) -> None:
    request = _submit(paying, zeitz_client)
    event = _pay_at_checkout(fake, zeitz_client, request)
    assert deliver(event).content == b"applied"
    assert deliver(event).content == b"unchanged"
    assert PaymentEvent.objects.filter(event_id=event["id"]).count() == 1


def test_refund_before_completion_ends_refunded_whatever_the_order(paying, fake, zeitz_client) -> None:
    request = _submit(paying, zeitz_client)
    completed = _pay_at_checkout(fake, zeitz_client, request)
    with tenant_context(paying.zeitz):
        from payments import services as payments

        CitizenRequest.objects.filter(pk=request.pk).update(payment_status=PaymentStatus.PAID)
        payments.refund(paying.zeitz, CitizenRequest.objects.get(pk=request.pk), actor="test")
        CitizenRequest.objects.filter(pk=request.pk).update(payment_status=PaymentStatus.UNPAID)
    refunded = fake.events[-1]
    assert refunded["type"] == "refund.created"
    assert deliver(refunded).content == b"applied"
    assert deliver(completed).content == b"unchanged"  # arrives late: paid ranks below refunded
    assert _payment_status(paying, request.tracking_number) == PaymentStatus.REFUNDED


def test_an_expired_checkout_then_a_paid_one_ends_paid_in_either_order(paying, fake, zeitz_client) -> None:
    request = _submit(paying, zeitz_client)
    from payments import links

    first = zeitz_client.post(links.path(request.tracking_number))["Location"].rsplit("/", 1)[-1]
    fake.expire(first)
    expired = fake.events[-1]
    paid = _pay_at_checkout(fake, zeitz_client, request)
    assert deliver(paid).content == b"applied"
    assert deliver(expired).content == b"unchanged"
    assert _payment_status(paying, request.tracking_number) == PaymentStatus.PAID


def test_unsigned_or_wrongly_signed_events_are_refused(paying, fake, zeitz_client) -> None:
    request = _submit(paying, zeitz_client)
    event = _pay_at_checkout(fake, zeitz_client, request)
    assert deliver(event, secret="whsec_wrong").status_code == 400
    assert _payment_status(paying, request.tracking_number) == PaymentStatus.UNPAID


def test_an_event_of_another_communes_account_never_reaches_zeitz(paying, fake, zeitz_client) -> None:
    request = _submit(paying, zeitz_client)
    event = _pay_at_checkout(fake, zeitz_client, request)
    from payments.services import account_of

    forged = copy.deepcopy(event)
    forged["id"] = "evt_forged"
    forged["account"] = account_of(paying.borna).account_id  # type: ignore[union-attr]
    assert deliver(forged).content == b"unchanged"
    assert _payment_status(paying, request.tracking_number) == PaymentStatus.UNPAID


def test_checkout_refuses_another_accounts_session(paying, fake, zeitz_client) -> None:
    import stripe

    from billing import stripe_api
    from payments.services import account_of

    request = _submit(paying, zeitz_client)
    _pay_at_checkout(fake, zeitz_client, request)
    borna = account_of(paying.borna)
    assert borna is not None
    with pytest.raises(stripe.InvalidRequestError):
        stripe_api.client().v1.checkout.sessions.retrieve(
            _session_of(paying, request), options={"stripe_account": borna.account_id}
        )


def _session_of(communes, request: CitizenRequest) -> str:  # type: ignore[no-untyped-def]
    with tenant_context(communes.zeitz):
        return CitizenRequest.objects.get(pk=request.pk).payment_reference


def test_no_payment_mode_means_no_payment(catalogue, communes, fake, zeitz_client) -> None:
    activate(communes.zeitz, "sperrmuell", fee=Decimal("25.00"))
    response = post_form(zeitz_client, "sperrmuell", BULKY_WASTE)
    assert response["Location"] == "/antrag/eingegangen/"
    with tenant_context(communes.zeitz):
        assert CitizenRequest.objects.get().payment_status == PaymentStatus.NONE


def test_after_decision_the_approval_mails_a_payment_link(
    catalogue, communes, fake, zeitz_client, django_capture_on_commit_callbacks
) -> None:
    activate(communes.zeitz, "sperrmuell", fee=Decimal("25.00"), payment_mode=PaymentMode.AFTER_DECISION)
    response = post_form(zeitz_client, "sperrmuell", BULKY_WASTE)
    assert response["Location"] == "/antrag/eingegangen/"
    with tenant_context(communes.zeitz):
        request = CitizenRequest.objects.get()
        assert request.payment_status == PaymentStatus.NONE
        requests.change_status(request, to_status=Status.IN_PROGRESS, actor="sb@zeitz.de")
        with django_capture_on_commit_callbacks(execute=True):
            requests.change_status(request, to_status=Status.COMPLETED, actor="sb@zeitz.de")
        request.refresh_from_db()
        assert request.payment_status == PaymentStatus.UNPAID
    link = re.search(r"https?://[^\s]+/zahlung/[^\s/]+/", str(mail.outbox[-1].body))
    assert link is not None
    assert "25,00 EUR" in mail.outbox[-1].body
    page = zeitz_client.get(urlsplit(link.group(0)).path)
    assert page.status_code == 200
    assert "Jetzt bezahlen" in page.content.decode()


def test_a_forged_payment_link_is_404(paying, zeitz_client) -> None:
    assert zeitz_client.get("/zahlung/ZEI-2026-AAAAAA:forged/").status_code == 404


def test_a_payment_mode_needs_a_fee_and_configured_payments(catalogue, communes, settings) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Online payment needs a fee above zero"):
        activate(communes.zeitz, "sperrmuell", payment_mode=PaymentMode.BEFORE_SUBMISSION)
    settings.STRIPE_CONNECT_WEBHOOK_SECRET = ""
    with pytest.raises(ValidationError, match="not configured"):
        activate(communes.zeitz, "sperrmuell", fee=Decimal("25.00"), payment_mode=PaymentMode.AFTER_DECISION)
