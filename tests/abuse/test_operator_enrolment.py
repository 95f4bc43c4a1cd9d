"""Operators enrol their second factor only through a one-time invitation link, with recovery codes."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEvent
from operators import actions
from operators.models import OperatorInvitation, Role
from tests.helpers import host_client
from tests.operator_helpers import OPERATOR_PASSWORD, current_code, make_operator, password_client

pytestmark = pytest.mark.django_db


def _enrol(client, link: str, user) -> str:
    assert client.get(link).status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    page = client.post(link, {"token": current_code(device)}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    return page.content.decode()


def test_a_password_alone_never_enrols_a_second_factor(communes) -> None:
    user, _device = make_operator("new@provider.example", Role.ADMIN, device=False)
    client = password_client(user.email)
    response = client.get("/operator/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "invitation link" in response.content.decode()
    assert client.get("/operator/2fa/verify/").status_code == 403
    assert not TOTPDevice.objects.filter(user=user).exists(), "no device is created on a password alone"


def test_invitation_link_enrols_once_and_shows_recovery_codes_once(
    communes, django_capture_on_commit_callbacks
) -> None:
    admin, _device = make_operator("boss@provider.example", Role.ADMIN)
    admin_client = password_client(admin.email)
    admin_client.post("/operator/2fa/verify/", {"token": current_code(_device)})
    user, _none = make_operator("new@provider.example", None, device=False)
    with django_capture_on_commit_callbacks(execute=True):
        with_mail = admin_client.post("/operator/team/", {"email": user.email, "role": Role.VIEWER})
    assert with_mail.status_code == 302
    link = re.search(r"https?://\S+(/operator/2fa/enrol/\S+/)", str(mail.outbox[-1].body)).group(1)
    assert mail.outbox[-1].to == [user.email]

    client = password_client(user.email)
    page = _enrol(client, link, user)
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page)
    assert len(codes) == 10
    assert client.get("/operator/").status_code == 200
    assert AuditEvent.objects.filter(action="operator.invited", target=user.email).exists()

    again = client.get(link, HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 404, "a used link does not work a second time"
    assert "expired, was already used" in again.content.decode()
    assert not any(code in again.content.decode() for code in codes), "recovery codes are shown once"

    later = password_client(user.email)
    assert later.post("/operator/2fa/verify/", {"token": codes[0].upper()}).status_code == 302
    assert later.get("/operator/").status_code == 200, "a recovery code replaces the app's code"
    reused = password_client(user.email)
    assert reused.post("/operator/2fa/verify/", {"token": codes[0]}).status_code == 200
    assert reused.get("/operator/").status_code == 302, "each recovery code works once"


def test_an_expired_link_or_another_accounts_link_does_not_enrol(communes, settings) -> None:
    settings.KOMMUNAL_OPERATOR_INVITATION_HOURS = 72
    user, _none = make_operator("new@provider.example", Role.VIEWER, device=False)
    other, _none = make_operator("other@provider.example", Role.VIEWER, device=False)
    link = actions.invite_operator(user, actor="test")

    assert password_client(other.email).get(link).status_code == 404, "the link belongs to its operator"
    assert host_client().get(link)["Location"].startswith("/accounts/login/"), "the password comes first"
    OperatorInvitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert password_client(user.email).get(link).status_code == 404
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_a_new_link_replaces_the_old_one_and_the_old_device(communes) -> None:
    user, old_device = make_operator("ops@provider.example", Role.OPERATOR)
    first = actions.invite_operator(user, actor="test")
    second = actions.invite_operator(user, actor="test")
    client = password_client(user.email)
    assert client.get(first).status_code == 404, "an earlier unused link stops working"
    _enrol(client, second, user)
    assert not TOTPDevice.objects.filter(pk=old_device.pk).exists(), "the lost phone no longer signs in"


def test_the_first_administrator_is_invited_from_the_command_line(communes, capsys) -> None:
    user, _none = make_operator("first@provider.example", Role.ADMIN, device=False)
    call_command("invite_operator", "first@provider.example")
    link = re.search(r"(/operator/2fa/enrol/\S+/)", capsys.readouterr().out).group(1)
    client = host_client()
    client.post("/accounts/login/", {"username": user.email, "password": OPERATOR_PASSWORD})
    _enrol(client, link, user)
    assert client.get("/operator/").status_code == 200


def test_the_demo_operator_gets_an_enrolment_link_until_a_second_factor_is_set_up(communes) -> None:
    from kommunal import demo

    user, _none = make_operator("demo-op@provider.example", Role.ADMIN, device=False)
    note = demo.operator_enrolment_note(user)
    link = re.search(r"https?://\S+(/operator/2fa/enrol/\S+/)", note).group(1)
    client = password_client(user.email)
    _enrol(client, link, user)
    assert client.get("/operator/").status_code == 200
    assert demo.operator_enrolment_note(user) == ""
