"""Fixtures for branding: a private file store per test, images, and an S3 server on loopback."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from django.core.cache import cache
from moto.server import ThreadedMotoServer
from PIL import Image

from kommunal.s3 import private_bucket_storage

BUCKET = "kommunal-branding-test"
S3_CREDENTIALS = {"access_key": "testing", "secret_key": "testing"}


@pytest.fixture(autouse=True)
def _fresh_branding_state(settings, tmp_path: Path) -> Iterator[None]:
    """Each test gets its own local asset directory and an empty branding cache."""
    settings.STORAGES = {
        **settings.STORAGES,
        "branding": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }
    cache.clear()
    yield
    cache.clear()


def image_bytes(
    image_format: str = "PNG", size: tuple[int, int] = (300, 360), mode: str = "RGBA", **save: object
) -> bytes:
    """A small shield-like image in ``image_format``."""
    image = Image.new(mode, size, (200, 30, 40, 255) if mode == "RGBA" else (200, 30, 40))
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **save)
    return buffer.getvalue()


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """A moto S3 server speaking real HTTP on a free loopback port, for the whole session."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="eu-central-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    ).create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
    yield endpoint
    server.stop()


def s3_storage_settings(endpoint: str) -> dict[str, object]:
    """The ``branding`` storage as production configures it, against ``endpoint``."""
    return private_bucket_storage(BUCKET, "eu-central-1", endpoint, **S3_CREDENTIALS)


@pytest.fixture
def s3(settings, moto_endpoint: str) -> Iterator[object]:
    """The ``branding`` storage on the moto S3 server; yields a boto3 client to inspect the bucket."""
    settings.STORAGES = {**settings.STORAGES, "branding": s3_storage_settings(moto_endpoint)}
    client = boto3.client(
        "s3",
        endpoint_url=moto_endpoint,
        region_name="eu-central-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    yield client
    listed = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    for item in listed:
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
