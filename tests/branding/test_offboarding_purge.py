"""Purging an offboarded commune removes its files from every storage, the S3 bucket included."""

from __future__ import annotations

import zipfile
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from audit.models import AuditEvent
from branding.storage import AssetStore
from operators import actions
from tests.branding.conftest import BUCKET, image_bytes

pytestmark = pytest.mark.django_db


def _keys(client, prefix: str) -> list[str]:
    return [item["Key"] for item in client.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])]


def test_purge_empties_the_communes_s3_prefix_and_keeps_the_others(communes, s3, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "default"
    AssetStore("zeitz").save("logo-abc.png", image_bytes())
    AssetStore("zeitz").save("header-def.png", image_bytes())
    AssetStore("borna").save("logo-123.png", image_bytes())
    assert len(_keys(s3, "tenants/zeitz/")) == 2

    export = actions.offboard_commune(communes.zeitz, actor="test", reason="Contract ended")
    with default_storage.open(export.path, "rb") as handle, zipfile.ZipFile(handle) as archive:
        names = archive.namelist()
    assert "files/branding/branding/logo-abc.png" in names, "the archive holds the files of the S3 bucket too"

    actions.purge_offboarded(now=timezone.now() + timedelta(days=settings.KOMMUNAL_OFFBOARD_RETENTION_DAYS + 1))

    assert _keys(s3, "tenants/zeitz/") == []
    assert _keys(s3, "tenants/borna/") == ["tenants/borna/branding/logo-123.png"]
    event = AuditEvent.objects.get(action="commune.purged", commune=communes.zeitz)
    assert event.data["files"] >= 3  # two assets and the archive
