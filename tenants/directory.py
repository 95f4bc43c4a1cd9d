"""Loading the official municipality directory shipped in ``tenants/data/gemeinden.csv``."""

from __future__ import annotations

import csv
import datetime
import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from tenants.models import DirectoryRelease, Municipality

DATA_FILE = Path(__file__).parent / "data" / "gemeinden.csv"
# Territorial status of the shipped file (MietNEinV annex, BGBl. I 2021 pp. 3739-3885).
TERRITORIAL_STATUS = datetime.date(2021, 1, 25)
CITY_SUFFIXES = ("Stadt", "St", "St.", "kfr. St.", "GKSt", "gr. kr. St.")


@dataclass(frozen=True)
class LoadResult:
    """What loading the directory did."""

    created: int
    updated: int
    unchanged: int
    territorial_status: datetime.date
    already_loaded: bool


def short_name(official_name: str) -> str:
    """'Zeitz, Stadt' -> 'Zeitz'; 'Weißwasser/O.L., Stadt/Běła Woda' -> 'Weißwasser/O.L.'."""
    return official_name.split(",")[0].strip()


def is_city(official_name: str) -> bool:
    """Whether the official name marks a town or city ('Stadt', 'St', 'GKSt', 'Hansestadt', ...)."""
    suffix = official_name.partition(",")[2].split("/")[0].strip()
    return suffix in CITY_SUFFIXES or "stadt" in suffix.lower()


@transaction.atomic
def load_directory(path: Path = DATA_FILE, territorial_status: datetime.date = TERRITORIAL_STATUS) -> LoadResult:
    """Insert or update every municipality of the file (idempotent: a second run changes nothing).

    Entries an operator retired stay retired; entries missing from a newer file are not deleted,
    because communes may still refer to them.
    """
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    rows = list(csv.DictReader(raw.decode("utf-8").splitlines()))
    if DirectoryRelease.objects.filter(sha256=digest).exists():
        return LoadResult(0, 0, len(rows), territorial_status, already_loaded=True)

    existing = {m.ags: m for m in Municipality.objects.all()}
    to_create, to_update = [], []
    for row in rows:
        values = {
            "name": row["name"],
            "short_name": short_name(row["name"]),
            "kreis_code": row["kreis_code"],
            "kreis": row["kreis"],
            "land_code": row["land_code"],
            "land": row["land"],
            "is_city": is_city(row["name"]),
        }
        current = existing.get(row["ags"])
        if current is None:
            to_create.append(Municipality(ags=row["ags"], **values))
        elif any(getattr(current, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(current, key, value)
            to_update.append(current)
    Municipality.objects.bulk_create(to_create, batch_size=2000)
    Municipality.objects.bulk_update(to_update, list(values), batch_size=2000)
    DirectoryRelease.objects.create(territorial_status=territorial_status, sha256=digest, entries=len(rows))
    return LoadResult(
        len(to_create), len(to_update), len(rows) - len(to_create) - len(to_update), territorial_status, False
    )


def current_release() -> DirectoryRelease | None:
    """The most recently loaded directory release, if any."""
    return DirectoryRelease.objects.order_by("-loaded_at").first()


def retire_municipality(ags: str) -> Municipality:
    """Mark a municipality dissolved by a territorial reform; it stays for existing references."""
    municipality = Municipality.objects.get(ags=ags)
    municipality.retired_at = timezone.now()
    municipality.save(update_fields=["retired_at"])
    return municipality
