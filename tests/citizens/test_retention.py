"""Deleting a citizen account: personal data leaves the requests after the commune's retention period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from audit.models import AuditEvent
from citizen_requests import services as request_services
from citizen_requests.models import CitizenRequest, StatusChange
from citizens import services
from citizens.models import Citizen, Login, Message, RequestOwner
from tests.catalog_helpers import BULKY_WASTE, activate, post_form
from tests.citizens.conftest import log_in

pytestmark = pytest.mark.django_db


@dataclass
class Submitted:
    """Erika's request in each commune (tracking number), with her logged-in clients."""

    numbers: dict[str, str]
    clients: dict[str, Client]


@pytest.fixture
def submitted(catalogue, communes) -> Submitted:  # type: ignore[no-untyped-def]
    """Erika's request in Zeitz (with a message, an attachment and her reply), and one in Borna."""
    result = Submitted(numbers={}, clients={})
    for commune in (communes.zeitz, communes.borna):
        activate(commune, "sperrmuell")
        client = log_in(commune, citizen="erika")
        assert post_form(client, "sperrmuell", BULKY_WASTE, email="erika.mustermann@example.org").status_code == 302
        result.numbers[commune.slug] = client.session["submitted_request"]
        result.clients[commune.slug] = client
    with tenant_context(communes.zeitz):
        request = CitizenRequest.objects.get(tracking_number=result.numbers["zeitz"])
        upload = SimpleUploadedFile("bescheid.pdf", b"%PDF-1.4", content_type="application/pdf")
        services.send_message(request, sender="sb@zeitz.example", subject="Bescheid", body="Anbei", attachment=upload)
        services.reply(RequestOwner.objects.get(request=request).citizen, request, body="Danke, Erika")
    return result


def _complete(number: str, days_ago: int) -> None:
    request = CitizenRequest.objects.get(tracking_number=number)
    request_services.change_status(request, to_status="in_progress", actor="sb@zeitz.example")
    request_services.change_status(request, to_status="completed", actor="sb@zeitz.example")
    StatusChange.objects.filter(request=request).update(at=timezone.now() - timedelta(days=days_ago))


def _delete_account(client: Client) -> None:
    response = client.post("/buerger/konto/", {"confirm": "delete"})
    assert response.status_code == 302


def test_deleting_the_account_ends_the_session_and_clears_the_account_at_once(submitted, communes) -> None:
    client = submitted.clients["zeitz"]
    _delete_account(client)
    assert client.get("/buerger/antraege/").status_code == 302
    with tenant_context(communes.zeitz):
        citizen = Citizen.objects.get()
        assert citizen.deleted_at is not None
        assert citizen.email == citizen.given_name == citizen.subject == ""
        assert not Login.objects.exists()
        request = CitizenRequest.objects.get()
        assert request.email == "erika.mustermann@example.org"  # kept until completed + retention


def test_personal_data_is_removed_only_after_the_retention_period(submitted, communes) -> None:
    _delete_account(submitted.clients["zeitz"])
    with tenant_context(communes.zeitz):
        _complete(submitted.numbers["zeitz"], days_ago=89)
        attachment = Message.objects.exclude(attachment="").get().attachment.name
    out = StringIO()
    call_command("remove_citizen_data", stdout=out)
    assert "Personal data removed from 0 requests." in out.getvalue()
    with tenant_context(communes.zeitz):
        StatusChange.objects.update(at=timezone.now() - timedelta(days=91))
    call_command("remove_citizen_data", stdout=out)
    assert "Personal data removed from 1 requests." in out.getvalue()
    with tenant_context(communes.zeitz):
        request = CitizenRequest.objects.get()
        assert request.email == ""
        assert request.data == {}
        assert not StatusChange.objects.filter(actor__icontains="erika").exists()
        assert set(Message.objects.values_list("body", flat=True)) == {services.REMOVED}
        assert not Message.objects.exclude(attachment="").exists()
        assert RequestOwner.objects.get().anonymised_at is not None
    assert attachment
    assert not default_storage.exists(attachment)
    assert AuditEvent.objects.filter(action="citizen.personal_data_removed", target=submitted.numbers["zeitz"]).exists()
    with tenant_context(communes.borna):  # the same person's account in Borna is untouched
        assert CitizenRequest.objects.get().email == "erika.mustermann@example.org"


def test_open_requests_and_live_accounts_keep_their_data(submitted, communes) -> None:
    with tenant_context(communes.zeitz):
        _complete(submitted.numbers["zeitz"], days_ago=400)  # completed long ago, but the account is live
    _delete_account(submitted.clients["borna"])  # deleted, but its request is still open
    call_command("remove_citizen_data", stdout=StringIO())
    for commune in (communes.zeitz, communes.borna):
        with tenant_context(commune):
            assert CitizenRequest.objects.get().email == "erika.mustermann@example.org"


def test_commune_sets_its_own_retention_period(submitted, communes) -> None:
    call_command("citizen_login_settings", "zeitz", "--retention-days", "10", stdout=StringIO())
    _delete_account(submitted.clients["zeitz"])
    with tenant_context(communes.zeitz):
        _complete(submitted.numbers["zeitz"], days_ago=11)
    call_command("remove_citizen_data", "--commune", "zeitz", stdout=StringIO())
    with tenant_context(communes.zeitz):
        assert CitizenRequest.objects.get().data == {}


def test_commands_refuse_unknown_communes_and_bad_values(communes) -> None:
    with pytest.raises(CommandError, match="no provisioned commune"):
        call_command("remove_citizen_data", "--commune", "atlantis")
    with pytest.raises(CommandError, match="between 0 and 3650"):
        call_command("citizen_login_settings", "zeitz", "--retention-days", "-1")
    with pytest.raises(CommandError, match="https://"):
        call_command("citizen_login_settings", "zeitz", "--issuer", "http://broker.example", "--client-id", "a")
