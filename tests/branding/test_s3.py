"""The S3 path, against moto's S3 server on loopback (real HTTP, boto3 with endpoint_url)."""

from __future__ import annotations

import socket

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context
from storages.backends.s3 import S3Storage

from branding import services
from branding.models import Branding
from branding.storage import AssetStore, StorageUnavailable
from tests.branding.conftest import BUCKET, image_bytes, s3_storage_settings
from tests.helpers import signed_in_client

pytestmark = pytest.mark.django_db


def _bucket_keys(s3) -> list[str]:
    return sorted(item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_logo_round_trip_through_s3(communes, s3, borna_client):
    client = signed_in_client(communes.zeitz, "admin@zeitz.example")

    response = client.post(
        "/branding/image/", {"kind": "logo", "image": SimpleUploadedFile("wappen.png", image_bytes())}
    )

    assert response.status_code == 302
    with tenant_context(communes.zeitz):
        assets = Branding.objects.get().assets
    prefix = f"tenants/{communes.zeitz.schema_name}/branding/"
    assert _bucket_keys(s3) == sorted(assets.values())
    assert all(key.startswith(prefix) for key in _bucket_keys(s3))
    served = client.get(services.asset_path(assets["logo_96"]))
    assert served.status_code == 200
    assert served.content == s3.get_object(Bucket=BUCKET, Key=assets["logo_96"])["Body"].read()
    assert borna_client.get(services.asset_path(assets["logo_96"])).status_code == 404


def test_bucket_is_private_and_urls_are_short_lived_presigned(communes, s3):
    key = AssetStore(communes.zeitz.schema_name).save("logo-96-0123456789abcdef.png", image_bytes())

    acl = s3.get_object_acl(Bucket=BUCKET, Key=key)
    url = storages["branding"].url(key)

    assert not [grant for grant in acl["Grants"] if grant["Grantee"].get("URI", "").endswith("AllUsers")]
    assert "X-Amz-Signature=" in url
    assert "X-Amz-Expires=300" in url


def test_replacing_a_logo_on_s3_deletes_the_old_files_after_commit(communes, s3, django_capture_on_commit_callbacks):
    commune = communes.zeitz
    with tenant_context(commune):
        with django_capture_on_commit_callbacks(execute=True):
            old = services.replace_logo(commune=commune, actor="test", data=image_bytes(size=(100, 120))).assets
        with django_capture_on_commit_callbacks(execute=True):
            new = services.replace_logo(commune=commune, actor="test", data=image_bytes(size=(200, 120))).assets

    assert set(old.values()).isdisjoint(new.values())
    assert _bucket_keys(s3) == sorted(new.values())


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_upload_while_s3_is_down_says_so_and_changes_nothing(communes, settings):
    settings.STORAGES = {**settings.STORAGES, "branding": s3_storage_settings(f"http://127.0.0.1:{_closed_port()}")}
    client = signed_in_client(communes.zeitz, "admin@zeitz.example")

    response = client.post(
        "/branding/image/",
        {"kind": "logo", "image": SimpleUploadedFile("wappen.png", image_bytes())},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 503
    assert "The file store is not reachable right now. Nothing was changed" in response.content.decode()
    with tenant_context(communes.zeitz):
        assert not Branding.objects.exists()


class HalfWayS3Storage(S3Storage):
    """The real S3 storage, whose third write fails as if the connection dropped half-way."""

    writes = 0

    def _save(self, name, content):
        HalfWayS3Storage.writes += 1
        if HalfWayS3Storage.writes == 3:
            raise ConnectionError("connection reset by peer")
        return super()._save(name, content)


def test_upload_failing_half_way_removes_what_was_written_and_keeps_the_old_logo(communes, s3, settings, moto_endpoint):
    commune = communes.zeitz
    with tenant_context(commune):
        old = services.replace_logo(commune=commune, actor="test", data=image_bytes(size=(100, 120))).assets
    half_way = s3_storage_settings(moto_endpoint)
    half_way["BACKEND"] = f"{__name__}.HalfWayS3Storage"
    settings.STORAGES = {**settings.STORAGES, "branding": half_way}
    HalfWayS3Storage.writes = 0

    with tenant_context(commune), pytest.raises(StorageUnavailable):
        services.replace_logo(commune=commune, actor="test", data=image_bytes(size=(200, 120)))

    assert HalfWayS3Storage.writes == 3
    with tenant_context(commune):
        assert Branding.objects.get().assets == old
    assert _bucket_keys(s3) == sorted(old.values())
