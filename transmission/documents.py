"""What a delivered request consists of: its data as JSON and as a readable PDF (fpdf2)."""

from __future__ import annotations

import json
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from fpdf import FPDF

from citizen_requests.models import CitizenRequest
from citizen_requests.schema_form import build_fields


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
