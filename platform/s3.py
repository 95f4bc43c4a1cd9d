"""The ``STORAGES`` entry of a private S3 bucket (AWS or any S3-compatible store)."""

from __future__ import annotations

from botocore.config import Config


def private_bucket_storage(bucket: str, region: str, endpoint_url: str | None, **extra: object) -> dict[str, object]:
    """django-storages' S3Storage on ``bucket``: no ACLs, presigned URLs valid 5 minutes, short timeouts."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "region_name": region,
            "endpoint_url": endpoint_url,
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "private, max-age=31536000, immutable"},
            # An unreachable store must fail an upload within seconds, not hang the admin's request.
            "client_config": Config(
                connect_timeout=5, read_timeout=15, retries={"max_attempts": 3, "mode": "standard"}
            ),
            **extra,
        },
    }
