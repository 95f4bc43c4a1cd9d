"""The legal pages on a commune's portal, the accessibility feedback form and their editor."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.decorators import commune_admin_required
from kommunal.error_summary import items_for_form
from legal import enforcement, selectors, services
from legal.forms import FeedbackForm, LegalTextForm
from legal.models import LegalText


def _kind(kind: str) -> LegalText.Kind:
    if kind not in LegalText.Kind.values:
        raise Http404
    return LegalText.Kind(kind)


def _commune(request: HttpRequest):  # type: ignore[no-untyped-def]
    commune = getattr(request, "commune", None)
    if commune is None:
        raise Http404
    return commune


@require_http_methods(["GET", "HEAD", "POST"])
def page(request: HttpRequest, kind: str) -> HttpResponse:
    """Impressum, Datenschutzerklärung or Erklärung zur Barrierefreiheit (with the feedback form)."""
    commune, legal_kind = _commune(request), _kind(kind)
    accessibility = legal_kind == LegalText.Kind.ACCESSIBILITY
    if request.method == "POST" and not accessibility:
        raise Http404
    form = FeedbackForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.send_accessibility_feedback(commune=commune, **form.cleaned_data)
        messages.success(request, _("Thank you. Your feedback was sent to the commune, which answers within a month."))
        return redirect("legal:page", kind=kind)
    text = selectors.legal_text(legal_kind, commune)[0]
    context = {
        "kind": legal_kind,
        "title": legal_kind.label,
        "text": text,
        "feedback_form": form if accessibility else None,
        "error_items": items_for_form(form) if form.is_bound else [],
        "enforcement": enforcement.for_ags(commune.ags) if accessibility else None,
    }
    return render(request, "legal/page.html", context, status=400 if form.errors else 200)


@commune_admin_required
def overview(request: HttpRequest) -> HttpResponse:
    """The three legal pages and whether the commune wrote its own wording."""
    pages = [(kind, selectors.legal_text(kind, request.commune)[1]) for kind in LegalText.Kind]  # type: ignore[attr-defined]
    return render(request, "legal/overview.html", {"pages": pages})


@commune_admin_required
def edit(request: HttpRequest, kind: str) -> HttpResponse:
    """Edit one legal page, starting from the current wording (the default until the commune saves)."""
    legal_kind = _kind(kind)
    if request.method == "POST":
        form = LegalTextForm(request.POST)
        if form.is_valid():
            services.save_legal_text(
                commune=request.commune,  # type: ignore[attr-defined]
                actor=request.user.get_username(),
                kind=legal_kind,
                body=form.cleaned_data["body"],
            )
            messages.success(request, _("The page was saved."))
            return redirect("legal-admin:overview")
    else:
        form = LegalTextForm(initial={"body": selectors.legal_text(legal_kind, request.commune)[0]})  # type: ignore[attr-defined]
    return render(request, "legal/edit.html", {"form": form, "kind": legal_kind}, status=400 if form.errors else 200)
