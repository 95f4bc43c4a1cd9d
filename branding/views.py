"""The branding settings page for commune administrators, and the assets it serves."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from drf_spectacular.utils import extend_schema

from accounts.decorators import commune_admin_required
from branding import domains, services
from branding.forms import BrandingForm, DomainForm, ImageUploadForm
from branding.images import CONTENT_TYPES
from branding.selectors import brand_name, current_branding
from branding.storage import AssetStore, StorageUnavailable
from kommunal.api.docs_pages import SwaggerView


def _actor(request: HttpRequest) -> str:
    return request.user.get_username()


def _page(request: HttpRequest, status: int = 200, **forms: Any) -> HttpResponse:
    branding = current_branding()
    context = {
        "form": forms.get("form") or BrandingForm(instance=branding),
        "upload_form": forms.get("upload_form") or ImageUploadForm(),
        "domain_form": forms.get("domain_form") or DomainForm(),
        "domains": [
            (
                domain,
                domains.txt_record_name(domain),
                domains.txt_record_value(domain),
                domains.claim_expires_at(domain),
            )
            for domain in domains.custom_domains(request.commune)  # type: ignore[attr-defined]
        ],
    }
    return render(request, "branding/settings.html", context, status=status)


@commune_admin_required
def settings_page(request: HttpRequest) -> HttpResponse:
    """Show the branding settings; save name, colours, contact and legal links."""
    if request.method != "POST":
        return _page(request)
    form = BrandingForm(request.POST, instance=current_branding())
    if not form.is_valid():
        return _page(request, status=400, form=form)
    try:
        services.update_branding(commune=request.commune, actor=_actor(request), **form.cleaned_data)  # type: ignore[attr-defined]
    except ValidationError as error:
        form.add_error(None, error)
        return _page(request, status=400, form=form)
    messages.success(request, _("The branding was saved."))
    return redirect("branding:settings")


@require_POST
@commune_admin_required
def upload_image(request: HttpRequest) -> HttpResponse:
    """Replace the coat of arms/logo or the header image."""
    form = ImageUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, status=400, upload_form=form)
    replace = services.replace_logo if form.cleaned_data["kind"] == "logo" else services.replace_header_image
    try:
        replace(commune=request.commune, actor=_actor(request), data=form.cleaned_data["image"])  # type: ignore[attr-defined]
    except StorageUnavailable:
        form.add_error(
            "image", _("The file store is not reachable right now. Nothing was changed; please try again later.")
        )
        return _page(request, status=503, upload_form=form)
    messages.success(request, _("The image was saved."))
    return redirect("branding:settings")


@require_POST
@commune_admin_required
def remove_header(request: HttpRequest) -> HttpResponse:
    """Stop showing the header image."""
    services.remove_header_image(commune=request.commune, actor=_actor(request))  # type: ignore[attr-defined]
    messages.success(request, _("The header image was removed."))
    return redirect("branding:settings")


@require_POST
@commune_admin_required
def add_domain(request: HttpRequest) -> HttpResponse:
    """Register a custom host name; it routes once its DNS token is verified."""
    form = DomainForm(request.POST)
    if form.is_valid():
        try:
            domains.add_custom_domain(commune=request.commune, actor=_actor(request), host=form.cleaned_data["host"])  # type: ignore[attr-defined]
        except ValidationError as error:
            form.add_error(None, error)
    if form.errors:
        return _page(request, status=400, domain_form=form)
    messages.success(request, _("The host name was added. Publish the TXT record below, then verify it."))
    return redirect("branding:settings")


@require_POST
@commune_admin_required
def verify_domain(request: HttpRequest, domain_id: int) -> HttpResponse:
    """Check the DNS TXT token of a custom host name."""
    try:
        domain = domains.verify_domain(commune=request.commune, actor=_actor(request), domain_id=domain_id)  # type: ignore[attr-defined]
    except domains.Domain.DoesNotExist as error:
        raise Http404 from error
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(host)s is verified and now leads to your portal.") % {"host": domain.domain})
    return redirect("branding:settings")


@require_POST
@commune_admin_required
def remove_domain(request: HttpRequest, domain_id: int) -> HttpResponse:
    """Remove a custom host name."""
    try:
        domains.remove_custom_domain(commune=request.commune, actor=_actor(request), domain_id=domain_id)  # type: ignore[attr-defined]
    except domains.Domain.DoesNotExist as error:
        raise Http404 from error
    messages.success(request, _("The host name was removed."))
    return redirect("branding:settings")


@require_GET
def asset(request: HttpRequest, name: str) -> HttpResponse:
    """A branding file of this host's commune; any other commune's key is simply not found."""
    if getattr(request, "commune", None) is None:
        raise Http404
    try:
        store = AssetStore(request.commune.schema_name)  # type: ignore[attr-defined]
        data = store.read(store.key(name))
    except (SuspiciousFileOperation, FileNotFoundError) as error:
        raise Http404 from error
    except StorageUnavailable:
        # The page that links the file still renders; the browser may ask again shortly.
        return HttpResponse(status=503, headers={"Retry-After": "30", "Cache-Control": "no-store"})
    content_type = CONTENT_TYPES.get(name.rsplit(".", 1)[-1])
    if content_type is None:
        raise Http404
    response = HttpResponse(data, content_type=content_type)
    # Names carry a content hash: a new logo is a new URL, so the old one may be cached forever.
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


class BrandedSwaggerView(SwaggerView):
    """Swagger UI titled with the commune's name."""

    @extend_schema(exclude=True)
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        commune = getattr(request, "commune", None)
        if commune is not None:
            self.title = _("%(name)s - API documentation") % {"name": brand_name(commune)}
        return super().get(request, *args, **kwargs)
