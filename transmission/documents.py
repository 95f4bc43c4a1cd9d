"""What a delivered request consists of: its data as JSON, a readable PDF (fpdf2) and the files
the citizen uploaded, read back from the commune's store and checked against what was recorded."""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from django.core.exceptions import SuspiciousFileOperation
from django.utils import translation
from django.utils.translation import gettext as _
from fpdf import FPDF

from branding.storage import StorageUnavailable
from citizen_requests import attachments
from citizen_requests.models import Attachment, CitizenRequest
from citizen_requests.schema_form import build_fields

logger = logging.getLogger(__name__)
READ_CHUNK = 1024 * 1024


class Undeliverable(Exception):
    """The request cannot go out along its route as it is; trying again will not help.

    The message is the reason shown to staff and operators.
    """


def schema_uri(request: CitizenRequest) -> str:
    """The URI naming the form schema the data was validated against (catalogue version)."""
    return f"urn:kommunal:catalog:{request.service.slug}:{request.version.number}"


def as_json(request: CitizenRequest) -> bytes:
    return json.dumps(request.data, ensure_ascii=False, sort_keys=True).encode()


def _latin1(text: Any) -> str:
    # The PDF core fonts cover Latin-1 (German included); anything else becomes "?".
    return str(text).encode("latin-1", "replace").decode("latin-1")


def as_pdf(request: CitizenRequest) -> bytes:
    """A one-document rendering of the request for an office without a specialist procedure."""
    with translation.override("de"):
        pdf = FPDF()
        pdf.set_title(_latin1(request.tracking_number))
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 14)
        pdf.multi_cell(0, 8, _latin1(f"{request.service.title_de}"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=10)
        facts = [
            (_("Tracking number"), request.tracking_number),
            (_("Submitted"), request.submitted_at.strftime("%d.%m.%Y %H:%M")),
            (_("E-mail address"), request.email),
            (_("Form version"), request.version.number),
        ]
        facts += [(field.label, field.display_value) for field in build_fields(request.version, request.data)]
        for label, value in facts:
            if value is None or value == "":
                continue
            pdf.set_font("Helvetica", "B", 10)
            pdf.multi_cell(0, 6, _latin1(label), new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("Helvetica", size=10)
            pdf.multi_cell(0, 6, _latin1(value), new_x="LMARGIN", new_y="NEXT")
        return bytes(pdf.output())


def uploads(request: CitizenRequest) -> list[Attachment]:
    """The files the citizen uploaded with ``request``, in the order of the form."""
    return list(request.attachments.order_by("field", "created_at", "name", "id"))


def field_title(request: CitizenRequest, upload: Attachment) -> str:
    """The label of the form field ``upload`` was attached to (empty when the schema has none)."""
    prop = request.version.form_schema.get("properties", {}).get(upload.field, {})
    return str(prop.get("title", ""))[:200]


def read_upload(upload: Attachment, schema_name: str) -> bytes:
    """The stored bytes of ``upload``, read in chunks and never more than its recorded size.

    The bytes must be those checked at submission (size and SHA-256); a file that changed, or whose
    key lies outside this commune's store, raises Undeliverable and is never sent. A store that
    cannot be reached raises StorageUnavailable or OSError (try again later).
    """
    files = attachments.open_store(schema_name)
    try:
        key = files.check(upload.storage_key)
    except SuspiciousFileOperation as error:
        logger.warning("transmission.foreign_file", extra={"attachment": str(upload.pk), "key": upload.storage_key})
        raise Undeliverable(f"The file {upload.name} is not stored in this commune's store; it is not sent.") from error
    content = bytearray()
    digest = hashlib.sha256()
    try:
        with files.backend.open(key, "rb") as handle:
            while len(content) <= upload.size and (chunk := handle.read(READ_CHUNK)):
                content += chunk
                digest.update(chunk)
    except OSError:
        raise
    except Exception as error:  # botocore and friends: the store cannot be reached
        raise StorageUnavailable(str(error)) from error
    if len(content) != upload.size or digest.hexdigest() != upload.sha256:
        raise Undeliverable(
            f"The stored file {upload.name} no longer matches what the citizen uploaded; it is not sent."
        )
    return bytes(content)
