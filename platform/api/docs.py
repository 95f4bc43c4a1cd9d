"""Helpers for documenting endpoints with drf-spectacular."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample

from kommunal.api.problems import problem_body


def problem_example(status: int, title: str, detail: str, slug: str, **extra: Any) -> OpenApiExample:
    """An example problem+json response (RFC 9457) as the global exception handler writes it."""
    return OpenApiExample(
        f"{status} {title}",
        value=problem_body(status, title, detail, slug, **extra),
        response_only=True,
        status_codes=[str(status)],
    )
