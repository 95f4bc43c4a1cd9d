"""Catalogue management in the operator console: versions of the shared services (``/operator/catalog/``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from catalog import services as catalog
from catalog.models import Service, ServiceVersion
from operators import roles, selectors
from operators.decorators import operator_required
from operators.forms import DraftVersionForm
from operators.models import Role, ServiceUsage

EMPTY_FORM: dict[str, Any] = {"type": "object", "required": [], "properties": {}}


def _can_act(request: HttpRequest) -> bool:
    return roles.allows(request.operator_role, Role.OPERATOR)  # type: ignore[attr-defined]


@operator_required()
def catalog_list(request: HttpRequest) -> HttpResponse:
    """Every catalogue service with its versions and the number of communes that run it."""
    return render(request, "operators/catalog_list.html", {"services": selectors.catalogue_services()})


@operator_required()
def catalog_service(request: HttpRequest, slug: str) -> HttpResponse:
    """One service with all its versions; operators get the actions that apply to each version."""
    service = get_object_or_404(selectors.catalogue_services(), slug=slug)
    return render(request, "operators/catalog_service.html", {"service": service, "can_act": _can_act(request)})


@operator_required(Role.OPERATOR)
def catalog_draft(request: HttpRequest, slug: str) -> HttpResponse:
    """Create the next version of a service as a draft, prefilled from its latest version."""
    service = get_object_or_404(Service, slug=slug)
    latest = service.versions.order_by("-number").first()
    initial: dict[str, Any] = {
        "form_schema": EMPTY_FORM,
        "ui_schema": {},
        "min_fee": 0,
        "online_submission_allowed": True,
    }
    if latest is not None:
        initial = {
            field: getattr(latest, field)
            for field in ("form_schema", "ui_schema", "min_fee", "max_fee", "default_fee", "online_submission_allowed")
        }
    form = DraftVersionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            version = catalog.create_draft_version(service, **form.cleaned_data, actor=roles.actor(request.user))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Version %(number)d was saved as a draft.") % {"number": version.number})
            return redirect("operators:catalog-service", slug=service.slug)
    return render(request, "operators/catalog_draft.html", {"service": service, "latest": latest, "form": form})


@operator_required(Role.OPERATOR)
def catalog_version_action(request: HttpRequest, slug: str, number: int, action: str) -> HttpResponse:
    """Confirm, then publish or retire one version (``action`` is ``publish`` or ``retire``); POST runs it."""
    version = get_object_or_404(ServiceVersion.objects.select_related("service"), service__slug=slug, number=number)
    run = catalog.publish_version if action == "publish" else catalog.retire_version
    error = ""
    if request.method == "POST":
        try:
            run(version, actor=roles.actor(request.user))
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            done = (
                _("Version %(number)d was published.") if action == "publish" else _("Version %(number)d was retired.")
            )
            messages.success(request, done % {"number": version.number})
            return redirect("operators:catalog-service", slug=slug)
    usage = ServiceUsage.objects.filter(service=version.service).first()
    return render(
        request,
        "operators/catalog_version_action.html",
        {"version": version, "service": version.service, "action": action, "usage": usage, "error": error},
    )
