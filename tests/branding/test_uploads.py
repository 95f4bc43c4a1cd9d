"""Uploading a coat of arms: hostile files are refused with a reason and leave nothing behind."""

from __future__ import annotations

import io
import os

import pytest
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context
from PIL import Image

from accounts.services import ensure_user
from audit.models import AuditEvent
from branding import images, services
from branding.models import Branding
from branding.storage import AssetStore
from tests.branding.conftest import image_bytes
from tests.helpers import ADMIN_PASSWORD, signed_in_client

pytestmark = pytest.mark.django_db


def _noise_png(size: tuple[int, int] = (256, 256)) -> bytes:
    buffer = io.BytesIO()
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(buffer, format="PNG")
    return buffer.getvalue()


def _bomb_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("1", (6000, 6000)).save(buffer, format="PNG")
    return buffer.getvalue()


def _svg(body: str) -> bytes:
    return f'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">{body}</svg>'.encode()


def _upload(client, data: bytes, name: str = "wappen.png", content_type: str = "image/png", kind: str = "logo"):
    return client.post(
        "/branding/image/",
        {"kind": kind, "image": SimpleUploadedFile(name, data, content_type=content_type)},
        HTTP_ACCEPT_LANGUAGE="en",
    )


def _stored(commune) -> tuple[list[str], dict]:
    with tenant_context(commune):
        branding = Branding.objects.filter(singleton=1).first()
        return AssetStore(commune.schema_name).list(), branding.assets if branding else {}


HOSTILE = [
    pytest.param(image_bytes() + b"\0" * (2 * 1024 * 1024), "wappen.png", "larger than 2.0", id="oversized-file"),
    pytest.param(image_bytes(size=(4100, 8)), "wappen.png", "at most 4096 x 4096", id="oversized-dimensions"),
    pytest.param(_bomb_png(), "wappen.png", "too many pixels", id="decompression-bomb"),
    pytest.param(image_bytes(size=(4096, 1)), "wappen.png", "at most 8 times", id="extreme-aspect-ratio"),
    pytest.param(image_bytes(size=(1, 900)), "wappen.png", "at most 8 times", id="extreme-aspect-ratio-tall"),
    pytest.param(image_bytes(), "w" * 1000 + ".png", "at most 200 characters", id="1000-character-file-name"),
    pytest.param(
        b"<html><script>alert(1)</script></html>", "wappen.png", "not a PNG, JPEG or WebP", id="html-named-png"
    ),
    pytest.param(image_bytes("GIF", mode="RGB"), "wappen.png", "not a PNG, JPEG or WebP", id="gif-named-png"),
    pytest.param(_svg("<script>alert(1)</script>"), "wappen.svg", "SVG files are not accepted", id="svg-script"),
    pytest.param(
        _svg('<image href="https://evil.example/x"/>'), "wappen.png", "SVG files are not accepted", id="svg-named-png"
    ),
    pytest.param(_noise_png()[:60_000], "wappen.png", "damaged or incomplete", id="truncated"),
    pytest.param(
        image_bytes() + b"<script>alert(1)</script>", "wappen.png", "other data after the end", id="polyglot-png-html"
    ),
    pytest.param(
        image_bytes("JPEG", mode="RGB") + b"PK\x03\x04zip",
        "wappen.jpg",
        "other data after the end",
        id="polyglot-jpeg-zip",
    ),
]


@pytest.mark.parametrize(("data", "name", "message"), HOSTILE)
def test_hostile_upload_is_refused_with_a_reason_and_stores_nothing(communes, data, name, message):
    client = signed_in_client(communes.zeitz, "admin@zeitz.example")

    response = _upload(client, data, name=name)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert _stored(communes.zeitz) == ([], {})


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(image_bytes(), id="png"),
        pytest.param(_noise_png((64, 64)), id="png-noise"),
        pytest.param(image_bytes("JPEG", mode="RGB"), id="jpeg"),
        pytest.param(image_bytes("JPEG", mode="RGB", progressive=True), id="jpeg-progressive"),
        pytest.param(image_bytes("WEBP"), id="webp"),
        pytest.param(image_bytes("WEBP", lossless=True), id="webp-lossless"),
    ],
)
def test_png_jpeg_and_webp_are_accepted(communes, data):
    client = signed_in_client(communes.zeitz, "admin@zeitz.example")

    assert _upload(client, data).status_code == 302
    assert len(_stored(communes.zeitz)[0]) == 4


def test_logo_is_re_encoded_without_metadata_and_served_with_the_servers_content_type(communes):
    exif = Image.Exif()
    exif[0x010F] = "Camera maker that knows where you live"
    photo = image_bytes("JPEG", mode="RGB", exif=exif)
    client = signed_in_client(communes.zeitz, "admin@zeitz.example")

    response = _upload(client, photo, name="wappen.html", content_type="text/html")

    assert response.status_code == 302
    keys, assets = _stored(communes.zeitz)
    assert sorted(assets) == ["favicon_180", "favicon_32", "logo_192", "logo_96"]
    assert sorted(keys) == sorted(assets.values())
    assert all(key.startswith(f"tenants/{communes.zeitz.schema_name}/branding/") for key in keys)
    served = client.get(services.asset_path(assets["logo_192"]))
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    body = b"".join(served.streaming_content) if served.streaming else served.content
    image = Image.open(io.BytesIO(body))
    assert image.height == 192
    assert not image.getexif()
    assert b"Camera maker" not in body
    assert Image.open(io.BytesIO(client.get(services.asset_path(assets["favicon_32"])).content)).size == (32, 32)
    event = AuditEvent.objects.get(action="branding.logo_replaced", commune=communes.zeitz)
    assert event.actor == "admin@zeitz.example"
    assert event.data["keys"] == sorted(assets.values())


def test_asset_of_one_commune_is_not_found_on_another_communes_host(communes, borna_client):
    zeitz_admin = signed_in_client(communes.zeitz, "admin@zeitz.example")
    _upload(zeitz_admin, image_bytes())
    _keys, assets = _stored(communes.zeitz)
    path = services.asset_path(assets["logo_96"])

    assert zeitz_admin.get(path).status_code == 200
    assert borna_client.get(path).status_code == 404
    assert (
        borna_client.get(
            f"/branding/assets/..%2F..%2F{communes.zeitz.schema_name}%2Fbranding%2F{path.rsplit('/', 1)[1]}"
        ).status_code
        == 404
    )


def test_storage_of_one_commune_refuses_every_key_of_another(communes):
    zeitz_store = AssetStore(communes.zeitz.schema_name)
    key = zeitz_store.save("logo-96-abc.png", image_bytes())
    borna_store = AssetStore(communes.borna.schema_name)

    for attempt in (
        lambda: borna_store.read(key),
        lambda: borna_store.delete(key),
        lambda: borna_store.save(f"../../{communes.zeitz.schema_name}/branding/logo-96-abc.png", b"x"),
        lambda: borna_store.check(
            f"tenants/{communes.borna.schema_name}/branding/../../{communes.zeitz.schema_name}/branding/logo-96-abc.png"
        ),
    ):
        with pytest.raises(SuspiciousFileOperation):
            attempt()
    assert zeitz_store.read(key) == image_bytes()
    assert borna_store.list() == []
    with pytest.raises(SuspiciousFileOperation):
        AssetStore("public")


def test_replaced_logo_is_deleted_only_after_the_new_one_is_committed(communes, django_capture_on_commit_callbacks):
    commune = communes.zeitz
    with tenant_context(commune):
        old = services.replace_logo(commune=commune, actor="test", data=image_bytes(size=(100, 120))).assets
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            new = services.replace_logo(commune=commune, actor="test", data=image_bytes(size=(200, 120))).assets
        store = AssetStore(commune.schema_name)
        assert set(store.list()) == set(old.values()) | set(new.values())
        for callback in callbacks:
            callback()
        assert set(store.list()) == set(new.values())


def test_only_the_communes_administrators_may_change_the_branding(communes, zeitz_client):
    assert zeitz_client.get("/branding/").status_code == 302
    with tenant_context(communes.zeitz):
        ensure_user(email="staff@zeitz.example", full_name="Staff", password=ADMIN_PASSWORD)
    staff = signed_in_client(communes.zeitz, "staff@zeitz.example")
    assert staff.get("/branding/").status_code == 403
    assert _upload(staff, image_bytes()).status_code == 403
    borna_admin = signed_in_client(communes.borna, "admin@borna.example")
    borna_admin.defaults["HTTP_HOST"] = communes.zeitz.primary_host
    assert borna_admin.get("/branding/").status_code == 302
    assert _upload(zeitz_client, image_bytes()).status_code == 302
    assert _stored(communes.zeitz) == ([], {})


def test_a_wide_logo_gets_renditions_of_bounded_width(communes) -> None:
    """A logo of 8:1 (the widest accepted) is at most 4x as wide as high in the header."""
    renditions = images.logo_renditions(image_bytes(size=(4000, 500)))
    for name, height in (("logo_96", 96), ("logo_192", 192)):
        with Image.open(io.BytesIO(renditions[name].data)) as rendition:
            assert rendition.width <= 4 * height
            assert rendition.height <= height


def test_a_1000_character_file_name_is_a_clear_message_not_a_bare_bad_request(communes) -> None:
    """Browsers send the name unshortened; Django refuses the part before the form sees it."""
    client = signed_in_client(communes.zeitz, "admin@zeitz.example")
    boundary = "kommunal-boundary"
    name = "w" * 1000 + ".png"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nlogo\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="{name}"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
        + image_bytes()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    response = client.post(
        "/branding/image/",
        body,
        content_type=f"multipart/form-data; boundary={boundary}",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "file&#x27;s name is too long" in response.content.decode()
    assert _stored(communes.zeitz) == ([], {})
