"""Pages: the commune admin's route choice (tenant host) and the operators' delivery list."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tenants.utils import tenant_context

from accounts.decorators import commune_admin_required
from activations import selectors as activation_selectors
from audit import services as audit
from operators import roles
from operators.decorators import operator_required
from operators.models import Role
from transmission import selectors, services
from transmission.forms import RouteForm
from transmission.index.models import DeliveryIndex


@commune_admin_required
def route(request: HttpRequest, slug: str) -> HttpResponse:
    """Choose inbox, FIT-Connect or e-mail for one activated service (shown on its settings page)."""
    activation = get_object_or_404(activation_selectors.activations(), service__slug=slug)
    form = RouteForm.for_route(services.route_of(activation), request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_route(
                activation,
                route=form.cleaned_data["route"],
                destination_id=form.cleaned_data["destination_id"],
                office_email=form.cleaned_data["office_email"],
                actor=str(request.user.email),  # type: ignore[union-attr]
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The delivery route was saved."))
            return redirect("manage-services:edit", slug=slug)
    context = {"activation": activation, "service": activation.service, "route_form": form}
    return render(request, "transmission/route.html", context, status=400 if form.errors else 200)


@operator_required(Role.VIEWER)
def deliveries(request: HttpRequest) -> HttpResponse:
    """Pending, submitted, failed and rejected deliveries of every commune (one public query)."""
    status = request.GET.get("status", "")
    page = Paginator(selectors.deliveries_needing_attention(status), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "transmission/operator_list.html",
        {"page": page, "status": status, "query": f"status={status}" if status else ""},
    )


@operator_required(Role.OPERATOR)
@require_POST
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a fresh round of attempts for one delivery, in its own commune's schema."""
    row = get_object_or_404(DeliveryIndex.objects.select_related("commune"), pk=pk)
    with tenant_context(row.commune):
        services.retry(row.delivery_id)
    audit.record("delivery.retried", actor=roles.actor(request.user), commune=row.commune, target=row.tracking_number)
    messages.success(request, _("Delivery %(number)s is attempted again.") % {"number": row.tracking_number})
    return redirect("transmission-operator:list")
