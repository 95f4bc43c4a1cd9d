"""Per-commune file storage (branding assets, request attachments).

Every key lives under ``tenants/<schema_name>/<area>/`` (area ``branding`` or ``attachments``).
``AssetStore`` is bound to one schema and refuses any key outside that prefix (including ``..``
tricks), so code running for one commune cannot read, list, overwrite or delete another commune's
files. The backend is the entry of ``STORAGES`` named like the area: a private S3 bucket when
``KOMMUNAL_S3_BUCKET`` is set, the local ``MEDIA_ROOT`` otherwise.
"""

from __future__ import annotations

import posixpath

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages

from tenants.db import connection


class StorageUnavailable(Exception):
    """The file store could not be reached or refused a write; nothing was changed."""


class AssetStore:
    """The files of one commune in one area (``branding`` or ``attachments``)."""

    def __init__(self, schema_name: str | None = None, backend: Storage | None = None, area: str = "branding") -> None:
        schema_name = schema_name or connection.schema_name
        if not schema_name or "/" in schema_name or schema_name == "public":
            raise SuspiciousFileOperation("A commune's files belong to its schema.")
        self.prefix = f"tenants/{schema_name}/{area}/"
        self.backend = backend or storages[area]

    def key(self, name: str) -> str:
        """The full key of ``name`` (relative to this commune's prefix), checked."""
        return self.check(self.prefix + name)

    def check(self, key: str) -> str:
        """``key`` itself when it lies under this commune's prefix; raise otherwise."""
        normal = posixpath.normpath(key)
        if normal != key or not key.startswith(self.prefix) or key == self.prefix or "\\" in key:
            raise SuspiciousFileOperation(f"Key outside this commune's prefix {self.prefix!r}: {key!r}")
        return key

    def save(self, name: str, data: bytes) -> str:
        """Store ``data`` as ``name``; returns the key. Content-hashed names are never overwritten."""
        key = self.key(name)
        try:
            if not self.backend.exists(key):
                stored = self.backend.save(key, ContentFile(data))
                if stored != key:
                    raise StorageUnavailable(f"Storage renamed {key!r} to {stored!r}")
        except StorageUnavailable:
            raise
        except Exception as error:  # botocore, OSError: any failure of the store
            raise StorageUnavailable(str(error)) from error
        return key

    def read(self, key: str) -> bytes:
        """The bytes stored under ``key``; ``FileNotFoundError`` when there are none,
        ``StorageUnavailable`` when the store cannot be reached."""
        key = self.check(key)
        try:
            if not self.backend.exists(key):
                raise FileNotFoundError(key)
            with self.backend.open(key, "rb") as handle:
                return handle.read()
        except FileNotFoundError:
            raise
        except Exception as error:  # botocore, OSError: any failure of the store
            raise StorageUnavailable(str(error)) from error

    def delete(self, key: str) -> None:
        """Remove ``key`` (missing keys are fine)."""
        self.backend.delete(self.check(key))

    def list(self) -> list[str]:
        """Every key directly under this commune's prefix."""
        try:
            _dirs, files = self.backend.listdir(self.prefix)
        except FileNotFoundError:
            return []
        return sorted(self.prefix + name for name in files)
