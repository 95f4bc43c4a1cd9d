"""Read access to the catalogue."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from catalog.models import Service, ServiceVersion


def published_services() -> QuerySet[Service]:
    """Services with at least one published version, each with its published versions prefetched."""
    published = ServiceVersion.objects.filter(status=ServiceVersion.Status.PUBLISHED).order_by("-number")
    return (
        Service.objects.filter(versions__status=ServiceVersion.Status.PUBLISHED)
        .distinct()
        .prefetch_related(Prefetch("versions", queryset=published, to_attr="published_versions"))
    )


def latest_published_version(service: Service) -> ServiceVersion | None:
    """The newest published version of ``service``, the one new activations get."""
    return service.versions.filter(status=ServiceVersion.Status.PUBLISHED).order_by("-number").first()
