"""Read access to the catalogue."""

from __future__ import annotations

from typing import Any

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


def version_differences(old: ServiceVersion, new: ServiceVersion) -> dict[str, Any]:
    """What changed between two versions of a service: form fields, required fields, fee rules."""
    old_props = old.form_schema.get("properties", {})
    new_props = new.form_schema.get("properties", {})
    old_required, new_required = set(old.form_schema.get("required", [])), set(new.form_schema.get("required", []))

    def title(props: dict[str, Any], name: str) -> str:
        return str(props[name].get("title", name))

    return {
        "added": [title(new_props, n) for n in new_props if n not in old_props],
        "removed": [title(old_props, n) for n in old_props if n not in new_props],
        "changed": [title(new_props, n) for n in new_props if n in old_props and new_props[n] != old_props[n]],
        "newly_required": [title(new_props, n) for n in sorted(new_required - old_required) if n in new_props],
        "fees_changed": (old.min_fee, old.max_fee, old.default_fee) != (new.min_fee, new.max_fee, new.default_fee),
        "online_changed": old.online_submission_allowed != new.online_submission_allowed,
        "changelog": new.changelog,
    }
