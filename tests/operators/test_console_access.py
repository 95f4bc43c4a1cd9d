"""Only operators with a verified second factor reach the console, and only on the platform host."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEvent
from operators import actions
from operators.models import Role
from tests.helpers import ADMIN_PASSWORD, host_client, signed_in_client
from tests.operator_helpers import current_code, make_operator, password_client

pytestmark = pytest.mark.django_db


def test_password_alone_does_not_open_the_console(communes) -> None:
    make_operator("ops@provider.example", Role.ADMIN)
    client = password_client("ops@provider.example")
    response = client.get("/operator/")
    assert response.status_code == 302
    assert response["Location"].startswith("/operator/2fa/verify/")
    assert client.get("/operator/audit/").status_code == 302


def test_wrong_code_keeps_the_console_closed(communes) -> None:
    make_operator("ops@provider.example", Role.ADMIN)
    client = password_client("ops@provider.example")
    response = client.post("/operator/2fa/verify/", {"token": "000000"})
    assert response.status_code == 200
    assert client.get("/operator/").status_code == 302


def test_enrolment_shows_the_otpauth_uri_and_qr_code_then_opens_the_console(communes) -> None:
    user, _device = make_operator("new@provider.example", Role.VIEWER, device=False)
    link = actions.invite_operator(user, actor="test")
    client = password_client(user.email)
    page = client.get(link).content.decode()
    assert "otpauth://totp/" in page
    assert "<svg" in page
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    response = client.post(link, {"token": current_code(device)})
    assert response.status_code == 200
    assert client.get("/operator/").status_code == 200
    assert AuditEvent.objects.filter(action="operator.otp_enrolled", target=user.email).exists()


def test_console_does_not_exist_on_a_commune_host(communes, zeitz_client) -> None:
    assert zeitz_client.get("/operator/").status_code == 404
    admin = signed_in_client(communes.zeitz, "admin@zeitz.example")
    assert admin.get("/operator/").status_code == 404
    assert admin.get("/api/v1/operator/tenants/").status_code == 404


def test_commune_admin_credentials_do_not_work_on_the_platform_host(communes) -> None:
    response = host_client().post("/accounts/login/", {"username": "admin@zeitz.example", "password": ADMIN_PASSWORD})
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated


def test_platform_account_without_operator_role_is_refused(communes) -> None:
    make_operator("someone@provider.example", None)
    assert password_client("someone@provider.example").get("/operator/").status_code == 403


def test_viewer_sees_tenants_but_cannot_act(operator_client, communes) -> None:
    viewer = operator_client(Role.VIEWER).client
    assert "Zeitz" in viewer.get("/operator/").content.decode()
    assert viewer.get("/operator/tenants/zeitz/suspend/").status_code == 403
    assert viewer.post("/operator/tenants/zeitz/suspend/", {"reason": "x"}).status_code == 403
    for path in ("/operator/tokens/", "/operator/team/"):
        assert viewer.get(path).status_code == 403
    communes.zeitz.refresh_from_db()
    assert communes.zeitz.status == "active"


def test_operator_cannot_manage_tokens_or_roles(operator_client) -> None:
    operator = operator_client(Role.OPERATOR).client
    assert operator.get("/operator/tokens/").status_code == 403
    assert operator.post("/operator/team/", {"email": "operator@provider.example", "role": "admin"}).status_code == 403


def test_admin_sets_roles(operator_client) -> None:
    admin = operator_client(Role.ADMIN).client
    user, _device = make_operator("later@provider.example", None)
    response = admin.post("/operator/team/", {"email": user.email, "role": Role.OPERATOR})
    assert response.status_code == 302
    user.operator_profile.refresh_from_db()
    assert user.operator_profile.role == Role.OPERATOR
    assert AuditEvent.objects.filter(action="operator.role_set", target=user.email).exists()


def test_console_speaks_german_by_default(operator_client) -> None:
    page = operator_client(Role.VIEWER).client.get("/operator/").content.decode()
    assert "Kommunen" in page
    assert "Prüfprotokoll" in page
