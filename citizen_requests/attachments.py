"""Files attached to a request: the field type, the checks, the virus scan and the commune's store.

An attachment field of a form's JSON Schema is an array with the keyword ``x-attachment``::

    "zulassungsbescheinigung": {
        "type": "array", "title": "Zulassungsbescheinigung Teil I (Kopie)",
        "x-attachment": {"accept": ["application/pdf", "image/jpeg", "image/png"], "maxSize": 5242880},
        "minItems": 1, "maxItems": 2
    }

``accept`` lists the media types (only those in SIGNATURES), ``maxSize`` the bytes per file,
``maxItems`` the number of files (``minItems: 1`` makes the field required). The type of a file is
what its first bytes say, never its name or the browser's claim. A stored request's data holds one
descriptor per file (``id``, ``name``, ``mediaType``, ``size``); the bytes live in the commune's
store under ``tenants/<schema>/attachments/<id>.<ext>``.
"""

from __future__ import annotations

import hashlib
import re
import socket
import struct
import unicodedata
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse
from django.utils.translation import gettext as _

from branding.storage import AssetStore

KEYWORD = "x-attachment"
AREA = "attachments"
# Media types Kommunal accepts, the bytes their files start with, and the extension they are stored with.
SIGNATURES: dict[str, tuple[bytes, str]] = {
    "application/pdf": (b"%PDF-", "pdf"),
    "image/jpeg": (b"\xff\xd8\xff", "jpg"),
    "image/png": (b"\x89PNG\r\n\x1a\n", "png"),
}
LABELS = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}
DEFAULT_MAX_SIZE = 10 * 1024 * 1024
CLAMD_TIMEOUT_SECONDS = 30
CLAMD_CHUNK = 64 * 1024


class ScanFailed(Exception):
    """The virus scanner is configured but could not be asked; nothing is stored."""


@dataclass
class Upload:
    """A checked file of one field, not yet stored."""

    field: str
    name: str
    media_type: str
    content: bytes = dataclass_field(repr=False)
    id: uuid.UUID = dataclass_field(default_factory=uuid.uuid4)
    scanned: bool = False

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def storage_name(self) -> str:
        return f"{self.id}.{SIGNATURES[self.media_type][1]}"

    def descriptor(self) -> dict[str, Any]:
        """What the request's data records about the file."""
        return {"id": str(self.id), "name": self.name, "mediaType": self.media_type, "size": self.size}


def rules(prop: dict[str, Any]) -> dict[str, Any] | None:
    """The attachment rules of a form property, or None when it is not an attachment field."""
    value = prop.get(KEYWORD)
    return value if prop.get("type") == "array" and isinstance(value, dict) else None


def accepted(prop: dict[str, Any]) -> list[str]:
    return [media for media in (rules(prop) or {}).get("accept", list(SIGNATURES)) if media in SIGNATURES]


def max_size(prop: dict[str, Any]) -> int:
    return int((rules(prop) or {}).get("maxSize", DEFAULT_MAX_SIZE))


def attachment_fields(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The attachment properties of a form schema by name."""
    return {name: prop for name, prop in schema.get("properties", {}).items() if rules(prop) is not None}


def sniff(content: bytes) -> str | None:
    """The media type the content's first bytes show, among SIGNATURES; None for anything else."""
    return next((media for media, (magic, _ext) in SIGNATURES.items() if content.startswith(magic)), None)


def safe_name(name: str) -> str:
    """A file name fit to show and to offer for download: no paths, no control characters, short."""
    base = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    base = re.sub(r"[\x00-\x1f\x7f\"<>|:*?]", "", base).strip(". ") or "datei"
    return base[-120:]


def size_label(size: int) -> str:
    """``size`` bytes as people read it: "5 MB", "512 KB"."""
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"


def check(
    schema: dict[str, Any], files: Mapping[str, Iterable[UploadedFile]]
) -> tuple[list[Upload], dict[str, list[str]]]:
    """The uploads of every attachment field, checked; and messages per field for those refused."""
    uploads: list[Upload] = []
    errors: dict[str, list[str]] = {}
    for name, prop in attachment_fields(schema).items():
        chosen = [upload for upload in files.get(name, []) if upload.name]
        limit = prop.get("maxItems")
        if limit is not None and len(chosen) > int(limit):
            errors.setdefault(name, []).append(_("Please attach at most %(n)s files.") % {"n": limit})
            continue
        types = accepted(prop)
        for upload in chosen:
            label = safe_name(upload.name or "")
            if (upload.size or 0) > max_size(prop):
                errors.setdefault(name, []).append(
                    _("%(file)s is larger than %(size)s.") % {"file": label, "size": size_label(max_size(prop))}
                )
                continue
            content = upload.read()
            media_type = sniff(content)
            if media_type not in types:
                errors.setdefault(name, []).append(
                    _("%(file)s is not a %(types)s file.")
                    % {"file": label, "types": _(" or ").join(LABELS[t] for t in types)}
                )
                continue
            uploads.append(Upload(field=name, name=label, media_type=media_type, content=content))
    return uploads, errors


def scan(uploads: list[Upload]) -> dict[str, list[str]]:
    """Ask clamd about every upload when ``KOMMUNAL_CLAMD`` is set; messages per field for infected files.

    Without a configured scanner the uploads stay marked as not scanned (staff see a note). A
    configured scanner that cannot be reached raises ScanFailed: nothing unscanned slips through.
    """
    address = settings.KOMMUNAL_CLAMD
    errors: dict[str, list[str]] = {}
    if not address:
        return errors
    for upload in uploads:
        if clamd_instream(address, upload.content).endswith("FOUND"):
            errors.setdefault(upload.field, []).append(
                _("%(file)s was refused by the virus scan.") % {"file": upload.name}
            )
        upload.scanned = True
    return errors


def clamd_instream(address: str, content: bytes) -> str:
    """clamd's answer for ``content`` (``stream: OK`` or ``stream: <name> FOUND``), over its INSTREAM command."""
    try:
        if address.startswith("unix:"):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            target: Any = address.removeprefix("unix:")
        else:
            host, _sep, port = address.removeprefix("tcp:").rpartition(":")
            sock, target = socket.socket(socket.AF_INET, socket.SOCK_STREAM), (host, int(port))
        with sock:
            sock.settimeout(CLAMD_TIMEOUT_SECONDS)
            sock.connect(target)
            sock.sendall(b"zINSTREAM\0")
            for start in range(0, len(content), CLAMD_CHUNK):
                chunk = content[start : start + CLAMD_CHUNK]
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
            answer = b""
            while not answer.endswith(b"\0") and (data := sock.recv(4096)):
                answer += data
    except (OSError, ValueError) as error:
        raise ScanFailed(str(error)) from error
    text = answer.rstrip(b"\0").decode("utf-8", "replace").strip()
    if not text.startswith("stream:") or text.endswith("ERROR"):
        raise ScanFailed(text)
    return text


def store(uploads: list[Upload], schema_name: str) -> list[str]:
    """Write the uploads to the commune's store; on a failure remove what was written and re-raise."""
    files = AssetStore(schema_name, area=AREA)
    written: list[str] = []
    try:
        for upload in uploads:
            written.append(files.save(upload.storage_name, upload.content))
    except Exception:
        remove(written, schema_name)
        raise
    return written


def open_store(schema_name: str) -> AssetStore:
    return AssetStore(schema_name, area=AREA)


def remove(keys: list[str], schema_name: str) -> None:
    """Delete stored files again (after the request that owns them could not be saved)."""
    files = open_store(schema_name)
    for key in keys:
        files.delete(key)


def download_response(attachment: Any, schema_name: str) -> FileResponse:
    """Stream a stored attachment as a download that browsers neither sniff nor render inline.

    Raises ``FileNotFoundError`` when the file is missing from the store.
    """
    files = open_store(schema_name)
    key = files.check(attachment.storage_key)
    if not files.backend.exists(key):
        raise FileNotFoundError(key)
    response = FileResponse(
        files.backend.open(key, "rb"), as_attachment=True, filename=attachment.name, content_type=attachment.media_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
