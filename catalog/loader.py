"""Loading the shipped catalogue (``catalog/data/catalog.json``) into the public schema.

Idempotent: a service whose form and fee rules equal its newest version is left alone. A
changed entry becomes a new version (published unless the entry says ``"status": "draft"``);
published versions are never modified, so communes keep what they activated.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from audit import services as audit
from catalog import services
from catalog.models import Service, ServiceVersion

DATA_FILE = Path(__file__).parent / "data" / "catalog.json"
SERVICE_FIELDS = (
    "title_de",
    "title_en",
    "summary_de",
    "summary_en",
    "description_de",
    "description_en",
    "leichte_sprache",
    "category",
    "leika_key",
    "office_type",
    "fee_model",
    "is_emobility",
)
ACTOR = "catalog-loader"


@dataclass
class LoadResult:
    data_version: str
    created: int = 0
    updated: int = 0
    new_versions: int = 0
    unchanged: int = 0


def _fee(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _version_kwargs(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "form_schema": entry["form_schema"],
        "ui_schema": entry.get("ui_schema") or {},
        "default_fee": _fee(entry.get("default_fee")),
        "min_fee": _fee(entry.get("min_fee")) or Decimal("0"),
        "max_fee": _fee(entry.get("max_fee")),
        "online_submission_allowed": entry.get("online_submission_allowed", True),
        "min_trust_level": entry.get("min_trust_level", ""),
        "information": entry.get("information") or {},
    }


def _same(version: ServiceVersion, wanted: dict[str, Any]) -> bool:
    return all(getattr(version, name) == value for name, value in wanted.items())


def load_catalog(path: Path = DATA_FILE) -> LoadResult:
    """Bring the catalogue in line with the data file; return what changed."""
    return load_document(json.loads(path.read_text(encoding="utf-8")), actor=ACTOR)


@transaction.atomic
def load_document(document: dict[str, Any], *, actor: str) -> LoadResult:
    """Bring the catalogue in line with ``document`` (the data file's shape), all or nothing."""
    result = LoadResult(data_version=str(document["version"]))
    for entry in document["services"]:
        fields = {name: entry[name] for name in SERVICE_FIELDS if name in entry}
        service, created = Service.objects.get_or_create(slug=entry["slug"], defaults=fields)
        if created:
            result.created += 1
        elif any(getattr(service, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(service, name, value)
            service.save(update_fields=list(fields))  # saved, not updated: post_save tells the page cache
            result.updated += 1
        version_entry = entry["version"]
        wanted = _version_kwargs(version_entry)
        newest = service.versions.order_by("-number").first()
        if newest is not None and _same(newest, wanted):
            result.unchanged += 1
            continue
        changelog = version_entry.get("changelog", "") or f"Catalogue data {result.data_version}"
        try:
            version = services.create_draft_version(service, changelog=changelog, actor=actor, **wanted)
        except ValidationError as exc:
            raise ValidationError(f"{entry['slug']}: {exc}") from exc
        if version_entry.get("status", "published") == "published":
            services.publish_version(version, actor=actor)
        result.new_versions += 1
    if result.created or result.updated or result.new_versions:
        audit.record(
            "catalog.loaded",
            actor=actor,
            target=result.data_version,
            created=result.created,
            updated=result.updated,
            new_versions=result.new_versions,
        )
    return result
