"""The commune admin's pages: catalogue services, activating them with local settings, upgrading."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import commune_admin_required
from activations import selectors, services
from activations.forms import LocalSettingsForm, ServiceTextsForm
from activations.models import Activation
from billing import selectors as billing
from branding.middleware import portal_languages
from catalog import selectors as catalog


def _actor(request: HttpRequest) -> str:
    return str(request.user.email)  # type: ignore[union-attr]


def _activation(slug: str) -> Activation:
    return get_object_or_404(selectors.activations(), service__slug=slug)


def _apply_errors(form: LocalSettingsForm, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@commune_admin_required
def service_list(request: HttpRequest) -> HttpResponse:
    """Every published catalogue service, with whether and at which version this commune offers it."""
    activated = selectors.by_service()
    rows = []
    for service in catalog.published_services():
        activation = activated.get(service.pk)
        newest = service.published_versions[0]  # type: ignore[attr-defined]
        upgradable = activation is not None and newest.number > activation.version.number
        rows.append({"service": service, "activation": activation, "newest": newest, "upgradable": upgradable})
    return render(request, "activations/list.html", {"rows": rows})


@commune_admin_required
@require_http_methods(["GET", "POST"])
def activate(request: HttpRequest, slug: str) -> HttpResponse:
    """Offer a catalogue service, with the commune's own settings."""
    service = get_object_or_404(catalog.published_services(), slug=slug)
    version = service.published_versions[0]  # type: ignore[attr-defined]
    form = LocalSettingsForm(request.POST or None, initial={"fee": version.default_fee, "online_submission": True})
    if request.method == "POST" and form.is_valid():
        try:
            services.activate_service(service_slug=slug, actor=_actor(request), local=form.local_settings())
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("“%(title)s” is now offered in the portal.") % {"title": service.title})
            return redirect("manage-services:list")
    return render(
        request,
        "activations/settings.html",
        {
            "service": service,
            "version": version,
            "form": form,
            "activation": None,
            "price_preview": billing.price_preview(request.commune, service),  # type: ignore[attr-defined]
        },
        status=400 if form.errors else 200,
    )


@commune_admin_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, slug: str) -> HttpResponse:
    """Change the local settings of an activated service."""
    activation = _activation(slug)
    form = LocalSettingsForm.for_activation(activation, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_local_settings(activation, actor=_actor(request), local=form.local_settings())
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The settings were saved."))
            return redirect("manage-services:list")
    context = {"service": activation.service, "version": activation.version, "form": form, "activation": activation}
    return render(request, "activations/settings.html", context, status=400 if form.errors else 200)


@commune_admin_required
@require_http_methods(["GET", "POST"])
def texts(request: HttpRequest, slug: str) -> HttpResponse:
    """The commune's own title and texts of a service, per language its portal offers."""
    activation = _activation(slug)
    names = dict(settings.LANGUAGES)
    languages = [(code, str(names[code])) for code in portal_languages(request)]
    form = ServiceTextsForm.for_activation(activation, languages, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            # Texts of a language the portal no longer offers stay until it is offered again.
            services.update_texts(activation, actor=_actor(request), texts={**activation.texts, **form.texts()})
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("The texts were saved."))
            return redirect("manage-services:edit", slug=slug)
    context = {"activation": activation, "service": activation.service, "form": form}
    return render(request, "activations/texts.html", context, status=400 if form.errors else 200)


@commune_admin_required
@require_POST
def deactivate(request: HttpRequest, slug: str) -> HttpResponse:
    """Stop offering the service; requests and settings stay."""
    activation = services.deactivate_service(_activation(slug), actor=_actor(request))
    messages.success(request, _("“%(title)s” is no longer offered.") % {"title": activation.service.title})
    return redirect("manage-services:list")


@commune_admin_required
@require_POST
def reactivate(request: HttpRequest, slug: str) -> HttpResponse:
    """Offer a deactivated service again, at the version it had."""
    activation = services.activate_service(service_slug=_activation(slug).service.slug, actor=_actor(request))
    messages.success(request, _("“%(title)s” is offered again.") % {"title": activation.service.title})
    return redirect("manage-services:list")


@commune_admin_required
@require_http_methods(["GET", "POST"])
def upgrade(request: HttpRequest, slug: str) -> HttpResponse:
    """Show what changed in the newest catalogue version; upgrade on confirmation."""
    activation = _activation(slug)
    newest = catalog.latest_published_version(activation.service)
    if newest is None or newest.number <= activation.version.number:
        raise Http404(_("There is no newer version of this service."))
    error = ""
    if request.method == "POST":
        try:
            services.upgrade_activation(activation, actor=_actor(request))
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Upgraded to version %(number)s.") % {"number": newest.number})
            return redirect("manage-services:list")
    context = {
        "activation": activation,
        "newest": newest,
        "changes": catalog.version_differences(activation.version, newest),
        "error": error,
    }
    return render(request, "activations/upgrade.html", context, status=400 if error else 200)
