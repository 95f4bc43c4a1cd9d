"""Tenant archives: everything of one commune in one zip file, and back.

Layout of an archive (format version 1)::

    manifest.json              format, version, schema name, counts per model, SHA-256 per member
    registry/commune.json      the commune's registry row (public schema)
    registry/domains.json      its host names
    data/<app>.<model>.json    every row of each tenant model, ordered by primary key
    files/<storage>/<path>     the commune's files (prefix ``tenants/<schema>/`` of each storage in FILE_STORAGES)

Import verifies the manifest before it touches the database: a member that is missing, added or
changed makes the whole archive invalid.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage, storages
from django.core.management.color import no_style
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context, tenant_context

from tenants import placement
from tenants.models import Commune, Domain

FORMAT = "kommunal-tenant-archive"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024
# Rebuilt by the migrations of every new schema, not worth keeping (sessions, sign-in counters), or
# never to leave the schema (idempotency records: stored responses of one day, keyed on callers).
SKIPPED_MODELS = {
    "contenttypes.contenttype",
    "auth.permission",
    "sessions.session",
    "axes.accessattempt",  # sign-in counters hold client addresses and expire anyway
    "axes.accesslog",
    "axes.accessfailurelog",
    "kommunal_api.idempotencyrecord",
}
# Aliases of settings.STORAGES that keep tenant files under ``tenants/<schema>/``: the default
# storage and the branding assets (a private S3 bucket in production, see branding.storage).
FILE_STORAGES: tuple[str, ...] = ("default", "branding")


class ArchiveError(ValidationError):
    """An archive that is not a valid, untampered Kommunal tenant archive."""


@dataclass(frozen=True)
class ArchiveSummary:
    """What an archive holds, from its manifest."""

    schema_name: str
    counts: dict[str, int]
    files: int


def files_prefix(schema_name: str) -> str:
    """Where a commune's files live in the default storage."""
    return f"tenants/{schema_name}/"


def file_storages() -> tuple[str, ...]:
    """The aliases of FILE_STORAGES configured here, each distinct store once.

    Without ``KOMMUNAL_S3_BUCKET`` the branding storage is the same directory as the default
    storage; its files are then exported, imported and purged once, under ``default``.
    """
    seen: dict[tuple[str, ...], str] = {}
    for alias in FILE_STORAGES:
        if alias not in settings.STORAGES:
            continue
        storage = storages[alias]
        identity = (
            type(storage).__qualname__,
            str(getattr(storage, "bucket_name", "")),
            str(getattr(storage, "endpoint_url", "")),
            str(getattr(storage, "location", alias)),
        )
        seen.setdefault(identity, alias)
    return tuple(seen.values())


def tenant_models() -> list[type[models.Model]]:
    """The models of the tenant apps, in an order in which their rows can be loaded."""
    tenant_apps = set(settings.TENANT_APPS)
    app_list = [
        (config, [m for m in config.get_models() if m._meta.label_lower not in SKIPPED_MODELS])
        for config in apps.get_app_configs()
        if {config.name, f"{type(config).__module__}.{type(config).__name__}"} & tenant_apps
    ]
    return serializers.sort_dependencies(app_list)


def walk_storage(prefix: str, storage: Storage = default_storage) -> Iterator[str]:
    """Every file path under ``prefix`` in ``storage``, sorted."""
    try:
        directories, files = storage.listdir(prefix)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield prefix + name
    for directory in sorted(directories):
        yield from walk_storage(f"{prefix}{directory}/", storage)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_archive(commune: Commune, target: IO[bytes]) -> ArchiveSummary:
    """Write ``commune``'s complete archive as a zip file into ``target``."""
    checksums: dict[str, str] = {}
    counts: dict[str, int] = {}
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:

        def add(name: str, data: bytes) -> None:
            archive.writestr(name, data)
            checksums[name] = _sha256(data)

        with schema_context(get_public_schema_name()):
            add("registry/commune.json", serializers.serialize("json", [commune], indent=1).encode())
            domains = Domain.objects.filter(tenant=commune).order_by("pk")
            add("registry/domains.json", serializers.serialize("json", domains, indent=1).encode())
        model_order = []
        with tenant_context(commune), transaction.atomic():
            for model in tenant_models():
                label = model._meta.label_lower
                rows = list(model._default_manager.order_by("pk"))
                add(
                    f"data/{label}.json",
                    serializers.serialize("json", rows, indent=1, use_natural_foreign_keys=True).encode(),
                )
                counts[label] = len(rows)
                model_order.append(label)
        prefix = files_prefix(commune.schema_name)
        file_count = 0
        for alias in file_storages():
            storage = storages[alias]
            for path in walk_storage(prefix, storage):
                digest = hashlib.sha256()
                name = f"files/{alias}/{path.removeprefix(prefix)}"
                with storage.open(path, "rb") as source, archive.open(name, "w") as member:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        member.write(chunk)
                checksums[name] = digest.hexdigest()
                file_count += 1
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "schema_name": commune.schema_name,
            "commune": {"name": commune.name, "ags": commune.ags, "slug": commune.slug},
            "exported_at": timezone.now().isoformat(),
            "models": model_order,
            "counts": counts,
            "files": file_count,
            "checksums": checksums,
        }
        archive.writestr(MANIFEST, json.dumps(manifest, indent=2, sort_keys=True))
    return ArchiveSummary(schema_name=commune.schema_name, counts=counts, files=file_count)


def _member_digest(archive: zipfile.ZipFile, name: str) -> str:
    digest = hashlib.sha256()
    with archive.open(name) as member:
        while chunk := member.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def verify_archive(archive: zipfile.ZipFile) -> dict[str, Any]:
    """The manifest of ``archive`` after checking format, member list and every checksum."""
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except (KeyError, ValueError) as error:
        raise ArchiveError(_("The archive has no readable manifest.json.")) from error
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise ArchiveError(_("This is not a Kommunal tenant archive of format version %(v)s.") % {"v": FORMAT_VERSION})
    checksums: dict[str, str] = manifest.get("checksums") or {}
    members = set(archive.namelist()) - {MANIFEST}
    if members != set(checksums):
        raise ArchiveError(_("The archive's files do not match its manifest; it was altered."))
    for name in sorted(members):
        parts = name.split("/")
        if (
            name.startswith("/")
            or ".." in parts
            or (parts[0] == "files" and (len(parts) < 3 or parts[1] not in FILE_STORAGES))
        ):
            raise ArchiveError(_("The archive contains an unsafe path: %(name)s") % {"name": name})
        if _member_digest(archive, name) != checksums[name]:
            raise ArchiveError(_("The checksum of %(name)s does not match; the archive was altered.") % {"name": name})
    known = {model._meta.label_lower for model in tenant_models()}
    unknown = [label for label in manifest.get("models", []) if label not in known]
    if unknown:
        raise ArchiveError(_("The archive holds data of unknown models: %(models)s") % {"models": ", ".join(unknown)})
    return manifest


def load_archive(archive: zipfile.ZipFile, manifest: dict[str, Any], commune: Commune) -> ArchiveSummary:
    """Load a verified archive into ``commune``'s empty schema and copy its files."""
    counts: dict[str, int] = {}
    with tenant_context(commune), transaction.atomic():
        loaded_models = []
        for label in manifest["models"]:
            objects = list(serializers.deserialize("json", archive.read(f"data/{label}.json")))
            for obj in objects:
                obj.save()
            counts[label] = len(objects)
            loaded_models.append(apps.get_model(label))
        if counts != manifest["counts"]:
            raise ArchiveError(_("The archive's data does not match the counts of its manifest."))
        target = placement.tenant_connection()
        with target.cursor() as cursor:
            for statement in target.ops.sequence_reset_sql(no_style(), loaded_models):
                cursor.execute(statement)
    prefix = files_prefix(commune.schema_name)
    files = [name for name in sorted(manifest["checksums"]) if name.startswith("files/")]
    for name in files:
        _files, alias, path = name.split("/", 2)
        storages[alias].save(prefix + path, ContentFile(archive.read(name)))
    return ArchiveSummary(schema_name=commune.schema_name, counts=counts, files=len(files))
