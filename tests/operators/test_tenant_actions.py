"""Suspending, reactivating, migrating, exporting, importing and offboarding communes."""

import io
import json
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone
from django_tenants.utils import schema_exists, tenant_context

from accounts.models import User
from activations.models import Activation
from activations.services import activate_service
from audit.models import AuditEvent
from kommunal.api.models import IdempotencyRecord
from operators import actions
from operators.models import Role
from operators.signals import commune_offboarded
from tenants.db import connection
from tenants.models import Commune
from tests.factories import ServiceVersionFactory
from tests.helpers import host_client, signed_in_client

pytestmark = pytest.mark.django_db


def test_suspension_asks_for_confirmation_and_a_reason(operator_client, communes) -> None:
    client = operator_client(Role.OPERATOR).client
    page = client.get("/operator/tenants/zeitz/suspend/")
    assert page.status_code == 200
    assert 'name="reason"' in page.content.decode()
    assert client.post("/operator/tenants/zeitz/suspend/", {"reason": ""}).status_code == 400
    communes.zeitz.refresh_from_db()
    assert communes.zeitz.status == Commune.Status.ACTIVE


def test_suspension_blocks_portal_and_api_of_that_commune_only(operator_client, communes) -> None:
    operator = operator_client(Role.OPERATOR)
    response = operator.client.post("/operator/tenants/zeitz/suspend/", {"reason": "Unpaid invoices"})
    assert response.status_code == 302
    zeitz, borna = host_client(communes.zeitz), host_client(communes.borna)
    assert zeitz.get("/").status_code == 503
    assert zeitz.get("/api/v1/users/").status_code == 503
    assert borna.get("/").status_code == 200
    event = AuditEvent.objects.get(action="commune.status_changed", commune=communes.zeitz, data__to_status="suspended")
    assert event.actor == f"operator:{operator.user.email}"
    assert event.data["reason"] == "Unpaid invoices"

    assert operator.client.post("/operator/tenants/zeitz/reactivate/", {}).status_code == 302
    assert zeitz.get("/").status_code == 200


def test_csrf_is_required_for_actions(operator_client, communes) -> None:
    operator = operator_client(Role.OPERATOR)
    operator.client.handler.enforce_csrf_checks = True
    assert operator.client.post("/operator/tenants/zeitz/suspend/", {"reason": "x"}).status_code == 403
    communes.zeitz.refresh_from_db()
    assert communes.zeitz.status == Commune.Status.ACTIVE


def test_migrating_one_schema_records_its_state(operator_client, communes) -> None:
    Commune.objects.filter(pk=communes.zeitz.pk).update(applied_migrations=[])
    client = operator_client(Role.OPERATOR).client
    assert "behind" in client.get("/operator/?migration=behind").content.decode()
    assert client.post("/operator/tenants/zeitz/migrate/").status_code == 302
    assert AuditEvent.objects.filter(action="commune.migrated", commune=communes.zeitz).exists()
    page = client.get("/operator/?migration=behind").content.decode()
    assert "/operator/tenants/zeitz/" not in page


def _fill_zeitz(communes) -> None:
    version = ServiceVersionFactory(service__slug="meldebescheinigung")
    with tenant_context(communes.zeitz):
        User.objects.create_user("kasse@zeitz.example", "x" * 16, full_name="Kasse Zeitz")
        activate_service(service_slug=version.service.slug, actor="test")
    default_storage.save("tenants/zeitz/logos/wappen.svg", ContentFile(b"<svg/>"))


def _export_bytes(commune) -> bytes:
    export = actions.export_commune(commune, actor="test")
    with default_storage.open(export.path, "rb") as archive:
        return archive.read()


def test_export_then_import_gives_a_new_commune_with_the_same_data(media, communes) -> None:
    _fill_zeitz(communes)
    data = _export_bytes(communes.zeitz)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["schema_name"] == "zeitz"
    assert manifest["counts"]["accounts.user"] == 2
    assert "files/default/logos/wappen.svg" in manifest["checksums"]

    path = media / "zeitz.zip"
    path.write_bytes(data)
    call_command("import_tenant", str(path), ags="14626600", slug="weisswasser")

    copy = Commune.objects.get(slug="weisswasser")
    assert copy.status == Commune.Status.ACTIVE
    with tenant_context(copy):
        assert sorted(User.objects.values_list("email", flat=True)) == ["admin@zeitz.example", "kasse@zeitz.example"]
        assert list(Activation.objects.values_list("service__slug", "is_active")) == [("meldebescheinigung", True)]
        User.objects.create_user("new@weisswasser.example", "x" * 16, full_name="New")  # sequences were reset
    assert default_storage.open("tenants/weisswasser/logos/wappen.svg").read() == b"<svg/>"
    assert AuditEvent.objects.filter(action="commune.imported", commune=copy, data__source_schema="zeitz").exists()
    assert host_client(copy).get("/").status_code == 200


def _tampered(data: bytes, member: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            target.writestr(item, content if item.filename == member else source.read(item.filename))
    return out.getvalue()


@pytest.mark.parametrize("member", ["data/accounts.user.json", "files/default/logos/wappen.svg"])
def test_import_refuses_a_tampered_archive_and_creates_nothing(media, communes, member) -> None:
    _fill_zeitz(communes)
    path = media / "tampered.zip"
    path.write_bytes(_tampered(_export_bytes(communes.zeitz), member, b"[]"))
    with pytest.raises(CommandError, match="altered"):
        call_command("import_tenant", str(path), ags="14626600", slug="weisswasser")
    assert not Commune.objects.filter(slug="weisswasser").exists()
    assert not schema_exists("weisswasser")


def test_offboarding_exports_stops_routing_and_tells_billing(operator_client, media, communes) -> None:
    received = []
    commune_offboarded.connect(lambda **kw: received.append(kw), weak=False, dispatch_uid="test-offboard")
    try:
        client = operator_client(Role.OPERATOR).client
        url = "/operator/tenants/zeitz/offboard/"
        assert client.post(url, {"reason": "Contract ended", "confirm_slug": "borna"}).status_code == 400
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("django.db.transaction.on_commit", lambda func, *a, **kw: func())
            assert client.post(url, {"reason": "Contract ended", "confirm_slug": "zeitz"}).status_code == 302
    finally:
        commune_offboarded.disconnect(dispatch_uid="test-offboard")
    communes.zeitz.refresh_from_db()
    assert communes.zeitz.status == Commune.Status.OFFBOARDED
    assert client.get("/operator/tenants/zeitz/migrate/").status_code == 404  # nothing left to act on
    assert host_client(communes.zeitz).get("/").status_code == 404
    assert host_client(communes.borna).get("/").status_code == 200
    assert [kw["commune"].slug for kw in received] == ["zeitz"]
    assert default_storage.exists(received[0]["export_path"])
    assert AuditEvent.objects.filter(action="commune.offboarded", commune=communes.zeitz).exists()


def test_purge_removes_schema_and_files_only_after_the_retention_period(media, communes) -> None:
    _fill_zeitz(communes)
    actions.offboard_commune(communes.zeitz, actor="test", reason="Contract ended")
    call_command("purge_offboarded")
    assert schema_exists("zeitz")
    later = timezone.now() + timezone.timedelta(days=91)
    with override_settings(KOMMUNAL_OFFBOARD_RETENTION_DAYS=90):
        purged = actions.purge_offboarded(now=later)
    assert [c.slug for c in purged] == ["zeitz"]
    assert not schema_exists("zeitz")
    assert not default_storage.exists("tenants/zeitz/logos/wappen.svg")
    assert not list(default_storage.listdir(actions.exports_prefix(communes.zeitz))[1])
    assert schema_exists("borna")
    assert AuditEvent.objects.filter(action="commune.purged", commune=communes.zeitz).exists()


def test_failed_import_leaves_nothing_behind(media, communes) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_export_bytes(communes.zeitz))) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "manifest.json":
                manifest = json.loads(content)
                manifest["counts"]["accounts.user"] = 7
                content = json.dumps(manifest).encode()
            target.writestr(item, content)
    with pytest.raises(actions.archive.ArchiveError, match="counts"):
        actions.import_commune(io.BytesIO(out.getvalue()), ags="14626600", slug="weisswasser", actor="test")
    assert not Commune.objects.filter(slug="weisswasser").exists()
    assert not schema_exists("weisswasser")
    assert AuditEvent.objects.filter(action="commune.import_failed", target="weisswasser").exists()


def test_archive_of_one_commune_holds_nothing_of_another(media, communes) -> None:
    _fill_zeitz(communes)
    with tenant_context(communes.borna):
        User.objects.create_user("geheim@borna.example", "x" * 16, full_name="Borna")
    default_storage.save("tenants/borna/secret.txt", ContentFile(b"borna only"))
    with zipfile.ZipFile(io.BytesIO(_export_bytes(communes.zeitz))) as archive:
        everything = b"".join(archive.read(name) for name in archive.namelist())
        names = archive.namelist()
    assert b"geheim@borna.example" not in everything
    assert b"borna only" not in everything
    assert "files/default/secret.txt" not in names


def test_archives_never_contain_idempotency_records(media, communes) -> None:
    """Stored responses of the last day are keyed on callers and never leave the schema."""
    admin = signed_in_client(communes.zeitz, "admin@zeitz.example")
    body = {"name": "archived?", "scopes": ["users:read"]}
    assert admin.post("/api/v1/api-keys/", body, "application/json", HTTP_IDEMPOTENCY_KEY="a").status_code == 201
    connection.set_tenant(communes.zeitz)
    assert IdempotencyRecord.objects.exists()
    connection.set_schema_to_public()
    with zipfile.ZipFile(io.BytesIO(_export_bytes(communes.zeitz))) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        members = archive.namelist()
    assert "kommunal_api.idempotencyrecord" not in manifest["models"]
    assert not [name for name in members if "idempotency" in name]
    assert "data/integrations.apikey.json" in members
