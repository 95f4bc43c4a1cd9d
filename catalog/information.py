"""The citizen information of a service version, shaped after a FIM "Leistungsbeschreibung" (XZuFi 2.x).

A version's ``information`` is a JSON object whose keys are the XZuFi text modules Kommunal
shows (German and English text each):

    volltext             Volltext: what the service is
    voraussetzungen      Voraussetzungen: who may apply
    unterlagen           erforderliche Unterlagen: [{"bezeichnung": {...}, "erforderlich": bool}]
    bearbeitungsdauer    Bearbeitungsdauer
    fristen              Fristen
    rechtsgrundlagen     Rechtsgrundlage(n): [{"bezeichnung": {...}, "uri": "https://..."}]
    hinweise             Formulare/Hinweise

Every key is optional: a service shows what its editors wrote. Costs, the responsible office and
its contact details come from the commune's activation, the LeiKa key from the service.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jsonschema
from django.utils import translation

LOCALIZED: dict[str, Any] = {
    "type": "object",
    "properties": {"de": {"type": "string", "minLength": 1}, "en": {"type": "string"}},
    "required": ["de"],
    "additionalProperties": False,
}
TEXT_MODULES = ("volltext", "voraussetzungen", "bearbeitungsdauer", "fristen", "hinweise")
INFORMATION_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        **dict.fromkeys(TEXT_MODULES, LOCALIZED),
        "unterlagen": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"bezeichnung": LOCALIZED, "erforderlich": {"type": "boolean"}},
                "required": ["bezeichnung", "erforderlich"],
                "additionalProperties": False,
            },
        },
        "rechtsgrundlagen": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"bezeichnung": LOCALIZED, "uri": {"type": "string", "pattern": "^https://"}},
                "required": ["bezeichnung"],
                "additionalProperties": False,
            },
        },
    },
    "additionalProperties": False,
}
_VALIDATOR = jsonschema.Draft202012Validator(INFORMATION_SCHEMA)


def information_errors(information: Any) -> list[tuple[str, str]]:
    """(path, message) for every problem of ``information``; empty when it is valid."""
    return [
        ("/".join(str(part) for part in error.absolute_path), error.message)
        for error in sorted(_VALIDATOR.iter_errors(information), key=lambda e: list(map(str, e.absolute_path)))
    ]


def _texts(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [text for value in node.values() for text in _texts(value)]
    if isinstance(node, list):
        return [text for value in node for text in _texts(value)]
    return []


def search_text(information: dict[str, Any]) -> str:
    """Every German and English text of ``information`` (not the links), for the portal's search."""
    without_links = {
        **information,
        "rechtsgrundlagen": [item.get("bezeichnung", {}) for item in information.get("rechtsgrundlagen", [])],
    }
    return "\n".join(_texts(without_links))


def localized(text: dict[str, str] | None) -> str:
    """The text in the active language; German where no English text exists."""
    if not text:
        return ""
    english = (translation.get_language() or "de")[:2] == "en"
    return (text.get("en") if english else None) or text.get("de", "")


def for_display(information: dict[str, Any], overrides: Mapping[str, str] | None = None) -> dict[str, Any]:
    """``information`` in the active language, for the service page.

    ``overrides`` replace text modules by name (a commune's own wording, see ``activations.texts``).
    """
    overrides = overrides or {}
    shown: dict[str, Any] = {name: overrides.get(name) or localized(information.get(name)) for name in TEXT_MODULES}
    shown["unterlagen"] = [
        {"bezeichnung": localized(item["bezeichnung"]), "erforderlich": item["erforderlich"]}
        for item in information.get("unterlagen", [])
    ]
    shown["rechtsgrundlagen"] = [
        {"bezeichnung": localized(item["bezeichnung"]), "uri": item.get("uri", "")}
        for item in information.get("rechtsgrundlagen", [])
    ]
    return shown
