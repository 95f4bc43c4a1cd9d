"""The catalogue as XZuFi-shaped JSON: export for a provider's editorial system, and import from it.

One ``leistung`` per service with its newest published version; the element names follow XZuFi
2.x (``leistungsschluessel``, ``leistungsbezeichnung``, ``kurztext``, the text modules of
``informationen``). docs/catalog.md describes every field. An import is checked completely before
anything is written and is refused with the path of the first offending field (e.g.
``leistungen/3/version/informationen/unterlagen/0/erforderlich``); it then changes nothing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import jsonschema
from django.core.exceptions import ValidationError
from django.db.models import Prefetch

from catalog import services
from catalog.information import INFORMATION_SCHEMA, LOCALIZED
from catalog.loader import LoadResult, load_document
from catalog.models import Category, FeeModel, Service, ServiceVersion
from citizens.trust import TrustLevel

FORMAT = "kommunal-xzufi-json"
XZUFI_VERSION = "2.2.0"
_MONEY = {"type": ["string", "null"], "pattern": r"^[0-9]{1,6}(\.[0-9]{1,2})?$"}

DOCUMENT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["format", "xzufiVersion", "version", "leistungen"],
    "properties": {
        "format": {"const": FORMAT},
        "xzufiVersion": {"type": "string", "pattern": r"^2\."},
        "version": {"type": "string", "minLength": 1},
        "leistungen": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "leistungsbezeichnung", "kurztext", "beschreibung", "kategorie", "version"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string", "pattern": r"^[a-z0-9][a-z0-9-]{0,79}$"},
                    "leistungsschluessel": {"type": "string", "pattern": r"^([0-9]{14})?$"},
                    "leistungsbezeichnung": {**LOCALIZED, "required": ["de", "en"]},
                    "kurztext": {**LOCALIZED, "required": ["de", "en"]},
                    "beschreibung": {**LOCALIZED, "required": ["de", "en"]},
                    "kategorie": {"enum": Category.values},
                    "zustaendigeStelle": {"type": "string", "minLength": 1, "maxLength": 120},
                    "kostenmodell": {"enum": FeeModel.values},
                    "emobilitaet": {"type": "boolean"},
                    "version": {
                        "type": "object",
                        "required": ["formular"],
                        "additionalProperties": False,
                        "properties": {
                            "nummer": {"type": "integer"},
                            "formular": {"type": "object"},
                            "formularHinweise": {"type": "object"},
                            "kosten": {
                                "type": "object",
                                "additionalProperties": False,
                                "properties": {"mindestens": _MONEY, "hoechstens": _MONEY, "regelgebuehr": _MONEY},
                            },
                            "onlineAntrag": {"type": "boolean"},
                            "vertrauensniveau": {"enum": ["", *TrustLevel.values]},
                            "aenderungen": {"type": "string"},
                            "informationen": INFORMATION_SCHEMA,
                        },
                    },
                },
            },
        },
    },
}
_DOCUMENT_VALIDATOR = jsonschema.Draft202012Validator(DOCUMENT_SCHEMA)


class ImportRefused(ValidationError):
    """An import that was refused; ``path`` names the offending field."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path or '(document)'}: {message}")
        self.path, self.reason = path, message


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def export_catalog(data_version: str) -> dict[str, Any]:
    """Every service with a published version, as an XZuFi-shaped JSON document."""
    published = ServiceVersion.objects.filter(status=ServiceVersion.Status.PUBLISHED).order_by("-number")
    services_ = (
        Service.objects.filter(versions__status=ServiceVersion.Status.PUBLISHED)
        .distinct()
        .order_by("slug")
        .prefetch_related(Prefetch("versions", queryset=published, to_attr="published_versions"))
    )
    leistungen = []
    for service in services_:
        version: ServiceVersion = service.published_versions[0]  # type: ignore[attr-defined]
        leistungen.append(
            {
                "id": service.slug,
                "leistungsschluessel": service.leika_key,
                "leistungsbezeichnung": {"de": service.title_de, "en": service.title_en},
                "kurztext": {"de": service.summary_de, "en": service.summary_en},
                "beschreibung": {"de": service.description_de, "en": service.description_en},
                "kategorie": service.category,
                "zustaendigeStelle": service.office_type,
                "kostenmodell": service.fee_model,
                "emobilitaet": service.is_emobility,
                "version": {
                    "nummer": version.number,
                    "formular": version.form_schema,
                    "formularHinweise": version.ui_schema,
                    "kosten": {
                        "mindestens": _money(version.min_fee),
                        "hoechstens": _money(version.max_fee),
                        "regelgebuehr": _money(version.default_fee),
                    },
                    "onlineAntrag": version.online_submission_allowed,
                    "vertrauensniveau": version.min_trust_level,
                    "aenderungen": version.changelog,
                    "informationen": version.information,
                },
            }
        )
    return {"format": FORMAT, "xzufiVersion": XZUFI_VERSION, "version": data_version, "leistungen": leistungen}


def _path(parts: Any) -> str:
    return "/".join(str(part) for part in parts)


def _check_document(document: Any) -> None:
    error = jsonschema.exceptions.best_match(_DOCUMENT_VALIDATOR.iter_errors(document))
    if error is not None:
        raise ImportRefused(_path(error.absolute_path), error.message)
    seen: set[str] = set()
    for index, leistung in enumerate(document["leistungen"]):
        if leistung["id"] in seen:
            raise ImportRefused(f"leistungen/{index}/id", f"'{leistung['id']}' appears twice.")
        seen.add(leistung["id"])
        version = leistung["version"]
        try:
            services.validate_form_schema(version["formular"], version.get("formularHinweise", {}))
        except ValidationError as exc:
            field = "formularHinweise" if "ui_schema" in exc.message_dict else "formular"
            raise ImportRefused(f"leistungen/{index}/version/{field}", " ".join(exc.messages)) from exc


def _entry(leistung: dict[str, Any]) -> dict[str, Any]:
    """One service in the shape of catalog/data/catalog.json, which the loader reads."""
    version, costs = leistung["version"], leistung["version"].get("kosten", {})
    return {
        "slug": leistung["id"],
        "title_de": leistung["leistungsbezeichnung"]["de"],
        "title_en": leistung["leistungsbezeichnung"]["en"],
        "summary_de": leistung["kurztext"]["de"],
        "summary_en": leistung["kurztext"]["en"],
        "description_de": leistung["beschreibung"]["de"],
        "description_en": leistung["beschreibung"]["en"],
        "category": leistung["kategorie"],
        "leika_key": leistung.get("leistungsschluessel", ""),
        "office_type": leistung.get("zustaendigeStelle", ""),
        "fee_model": leistung.get("kostenmodell", FeeModel.FREE),
        "is_emobility": leistung.get("emobilitaet", False),
        "version": {
            "form_schema": version["formular"],
            "ui_schema": version.get("formularHinweise", {}),
            "min_fee": costs.get("mindestens"),
            "max_fee": costs.get("hoechstens"),
            "default_fee": costs.get("regelgebuehr"),
            "online_submission_allowed": version.get("onlineAntrag", True),
            "min_trust_level": version.get("vertrauensniveau", ""),
            "changelog": version.get("aenderungen", ""),
            "information": version.get("informationen", {}),
        },
    }


def import_catalog(document: Any, *, actor: str) -> LoadResult:
    """Bring the catalogue in line with an XZuFi-shaped document; refused as a whole on any error."""
    _check_document(document)
    entries = [_entry(leistung) for leistung in document["leistungen"]]
    try:
        return load_document({"version": document["version"], "services": entries}, actor=actor)
    except ValidationError as exc:
        slug = str(exc.messages[0]).split(":", 1)[0]
        index = next((i for i, entry in enumerate(entries) if entry["slug"] == slug), None)
        path = f"leistungen/{index}/version/kosten" if index is not None else ""
        raise ImportRefused(path, " ".join(exc.messages)) from exc
