"""A commune admin connects the commune's Stripe account from the admin area."""

import pytest

from accounts.models import User
from payments.services import account_of
from tests.helpers import signed_in_client

pytestmark = pytest.mark.django_db


def _admin(commune):  # type: ignore[no-untyped-def]
    from django_tenants.utils import tenant_context

    from tests.helpers import ADMIN_PASSWORD

    with tenant_context(commune):
        User.objects.create_user("admin@test.de", ADMIN_PASSWORD, full_name="Admin", role=User.Role.ADMIN)
    return signed_in_client(commune, "admin@test.de")


def test_admin_connects_and_completes_onboarding(communes, fake) -> None:
    admin = _admin(communes.zeitz)
    page = admin.get("/verwaltung/zahlungen/").content.decode()
    assert "Stripe-Konto verbinden" in page
    response = admin.post("/verwaltung/zahlungen/")
    account = account_of(communes.zeitz)
    assert account is not None
    assert response["Location"] == f"{fake.base_url}/connect/onboarding/{account.account_id}"
    assert "Einrichtung nicht abgeschlossen" in admin.get("/verwaltung/zahlungen/").content.decode()
    fake.complete_onboarding(account.account_id)
    assert "bereit für Zahlungen" in admin.get("/verwaltung/zahlungen/").content.decode()
    assert account_of(communes.borna) is None


def test_staff_who_are_not_admins_cannot_connect(communes, fake) -> None:
    from django_tenants.utils import tenant_context

    from tests.helpers import ADMIN_PASSWORD

    with tenant_context(communes.zeitz):
        User.objects.create_user("sb@test.de", ADMIN_PASSWORD, full_name="SB", role=User.Role.STAFF)
    staff = signed_in_client(communes.zeitz, "sb@test.de")
    assert staff.post("/verwaltung/zahlungen/").status_code in (302, 403)
    assert account_of(communes.zeitz) is None
