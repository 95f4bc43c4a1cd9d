"""S3 gone: uploads are refused cleanly and change nothing, pages still render, files answer 503."""

from __future__ import annotations

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context
from moto.server import ThreadedMotoServer

from branding.models import Branding
from kommunal.s3 import private_bucket_storage
from tests.branding.conftest import S3_CREDENTIALS, image_bytes
from tests.faults.servers import free_port
from tests.helpers import host_client, signed_in_client

pytestmark = pytest.mark.django_db

# Moto keeps buckets per process: one of this test's own, not the branding tests' bucket.
BUCKET = "kommunal-faults-s3-gone"


def _upload(client, size: tuple[int, int]):  # type: ignore[no-untyped-def]
    image = SimpleUploadedFile("wappen.png", image_bytes(size=size))
    return client.post("/branding/image/", {"kind": "logo", "image": image}, HTTP_ACCEPT_LANGUAGE="en")


def test_without_s3_uploads_are_refused_and_pages_render(communes, settings) -> None:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    boto3.client(
        "s3", endpoint_url=endpoint, region_name="eu-central-1", aws_access_key_id="t", aws_secret_access_key="t"
    ).create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
    storage = private_bucket_storage(BUCKET, "eu-central-1", endpoint, **S3_CREDENTIALS)
    settings.STORAGES = {**settings.STORAGES, "branding": storage}
    admin, citizen = signed_in_client(communes.zeitz, "admin@zeitz.example"), host_client(communes.zeitz)
    try:
        assert _upload(admin, (300, 360)).status_code == 302
        with tenant_context(communes.zeitz):
            logo = Branding.objects.get().assets["logo_96"]
        assert citizen.get(f"/branding/assets/{logo.rsplit('/', 1)[1]}").status_code == 200
    finally:
        server.stop()

    refused = _upload(admin, (200, 240))
    assert refused.status_code == 503
    assert "The file store is not reachable right now. Nothing was changed" in refused.content.decode()
    with tenant_context(communes.zeitz):
        assert Branding.objects.get().assets["logo_96"] == logo  # the old logo stays
    page = citizen.get("/")
    assert page.status_code == 200
    assert logo.rsplit("/", 1)[1] in page.content.decode()  # the page still links the logo
    image = citizen.get(f"/branding/assets/{logo.rsplit('/', 1)[1]}")
    assert image.status_code == 503
    assert image["Retry-After"] == "30"
