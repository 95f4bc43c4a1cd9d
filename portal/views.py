"""Pages of the citizen portal: services of the commune, request forms and status look-up."""

from __future__ import annotations

from itertools import groupby

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from activations.models import Activation
from activations.selectors import own_texts_contain
from catalog.models import Category
from citizen_requests import schema_form, selectors, services, status_links
from citizen_requests.models import PaymentStatus
from citizens import prefill, trust
from citizens import services as citizen_services
from citizens import session as citizen_session
from citizens.trust import TrustLevel
from kommunal.api.callers import client_address
from kommunal.cache import CacheUnavailable
from kommunal.error_summary import ErrorItem
from payments import links
from portal.page_cache import cache_public_page

EMAIL_FIELD = "kontakt_email"
STATUS_LOOKUPS_PER_WINDOW = 20
STATUS_LOOKUP_WINDOW_SECONDS = 600


@cache_public_page
def home(request: HttpRequest) -> HttpResponse:
    """The commune's landing page: its active services by subject area, with search."""
    query = request.GET.get("q", "").strip()[:100]
    activations = selectors.active_activations()
    for word in query.split()[:10]:  # every word must occur somewhere in the service's texts
        activations = activations.filter(
            Q(service__title_de__icontains=word)
            | Q(service__title_en__icontains=word)
            | Q(service__summary_de__icontains=word)
            | Q(service__summary_en__icontains=word)
            | Q(service__description_de__icontains=word)
            | Q(service__description_en__icontains=word)
            | Q(version__search_text__icontains=word)
            | own_texts_contain(word)
        )
    labels = dict(Category.choices)
    items = sorted(activations, key=lambda a: (str(labels.get(a.service.category, "")), a.title))
    groups = [
        (labels.get(category, category), list(group))
        for category, group in groupby(items, key=lambda a: a.service.category)
    ]
    return render(request, "portal/home.html", {"groups": groups, "query": query, "count": len(items)})


def _activation_or_404(slug: str) -> Activation:
    activation = selectors.active_activation(slug)
    if activation is None:
        raise Http404(_("This service is not offered here."))
    return activation


@cache_public_page
def service_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The full service information (FIM text modules), costs and office here, and the way to apply."""
    activation = _activation_or_404(slug)
    context = {"activation": activation, "info": activation.information_for_display()}
    return render(request, "portal/service.html", context)


@cache_public_page
def leichte_sprache(request: HttpRequest, slug: str) -> HttpResponse:
    """The service explained in Leichte Sprache (German), where the catalogue or the commune wrote it."""
    activation = _activation_or_404(slug)
    if not activation.leichte_sprache:
        raise Http404(_("This service has no text in Leichte Sprache."))
    with translation.override("de"):
        german_title = activation.title
    return render(request, "portal/leichte_sprache.html", {"activation": activation, "german_title": german_title})


@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, slug: str) -> HttpResponse:
    """The request form, rendered from the pinned version's JSON Schema and validated on the server.

    A version with a minimum trust level is open only to citizens logged in at that level; a
    logged-in citizen finds the fields their account knows filled in (and marked).
    """
    activation = _activation_or_404(slug)
    if not activation.online_submission:
        raise Http404(_("This service cannot be applied for online here."))
    login = citizen_session.current_login(request)
    required = activation.version.min_trust_level
    if required and (login is None or not trust.satisfies(login.trust_level, required)):
        context = {"activation": activation, "required": TrustLevel(required), "login": login}
        context["login_url"] = citizen_session.login_url(request.get_full_path())
        return render(request, "portal/login_required.html", context, status=403)
    fields = schema_form.build_fields(activation.version)
    known = prefill.values(login.citizen, [f.name for f in fields], EMAIL_FIELD) if login else {}
    email, email_errors = known.get(EMAIL_FIELD, ""), []
    if request.method == "POST":
        data, errors = schema_form.coerce_post(fields, request.POST)
        files = {f.name: request.FILES.getlist(f.name) for f in fields if f.kind == "file"}
        email = request.POST.get(EMAIL_FIELD, "").strip()
        if errors:  # unparsable numbers: report them together with everything else that is wrong
            valid_part = {name: value for name, value in data.items() if name not in errors}
            errors = {**services.submission_errors(activation, email=email, data=valid_part, files=files), **errors}
        else:
            try:
                with transaction.atomic():
                    tracked = services.submit_request(
                        service_slug=slug,
                        email=email,
                        data=data,
                        files=files,
                        language=translation.get_language() or "de",
                    )
                    if login is not None:
                        taken = prefill.unchanged(known, {**data, EMAIL_FIELD: email})
                        citizen_services.link_request(tracked, login, taken)
            except ValidationError as exc:
                errors = exc.message_dict
            else:
                request.session["submitted_request"] = tracked.tracking_number
                if tracked.payment_status == PaymentStatus.UNPAID:
                    return redirect(links.path(tracked.tracking_number))
                return redirect("portal:submitted")
        email_errors = errors.pop("email", [])
        fields = schema_form.build_fields(activation.version, values=data)
        for form_field in fields:
            form_field.errors = errors.get(form_field.name, [])
        status = 400
    else:
        fields = schema_form.build_fields(activation.version, values=known)
        status = 200
    error_items = [ErrorItem(f.input_id, f.label, f.errors) for f in fields if f.errors]
    if email_errors:
        error_items.append(ErrorItem(f"field-{EMAIL_FIELD}", _("Your e-mail address"), email_errors))
    context = {
        "activation": activation,
        "fields": fields,
        "email": email,
        "email_field": EMAIL_FIELD,
        "email_errors": email_errors,
        "error_items": error_items,
        "has_errors": bool(error_items),
        "prefilled": set(known),
        "citizen_login": login,
    }
    return render(request, "portal/apply.html", context, status=status)


def submitted(request: HttpRequest) -> HttpResponse:
    """The confirmation after a submission, with the tracking number (shown once per session)."""
    tracking_number = request.session.get("submitted_request")
    if not tracking_number:
        return redirect("portal:home")
    submitted_request = selectors.submitted_request(tracking_number)
    if submitted_request is None:  # deleted meanwhile (retention), or a stale session
        return redirect("portal:home")
    context = {"tracking_number": tracking_number, "service": submitted_request.service}
    return render(request, "portal/submitted.html", context)


def _too_many_lookups(request: HttpRequest) -> bool:
    """Count a status look-up of this client; True once it made STATUS_LOOKUPS_PER_WINDOW of them.

    The cache key carries the commune's schema (django-tenants' key function), so the limit is
    per commune and client address. Without the cache every look-up counts as one too many.
    """
    key = f"portal:status-lookups:{client_address(request.META)}"
    try:
        cache.add(key, 0, timeout=STATUS_LOOKUP_WINDOW_SECONDS)
        return cache.incr(key) > STATUS_LOOKUPS_PER_WINDOW
    except ValueError:  # expired between add and incr
        return False
    except CacheUnavailable:  # fails closed: uncounted look-ups would let numbers be tried in bulk
        return True


@never_cache
@require_http_methods(["GET", "POST"])
def status(request: HttpRequest) -> HttpResponse:
    """Status by tracking number and e-mail; a wrong number and a wrong address look the same.

    The link in the citizen's e-mails (see ``citizen_requests.status_links``) carries the tracking
    number and an access code instead and shows the status on a GET; a successful look-up by
    number and e-mail redirects to that link, so that reloading the page never posts again. Look-ups of both kinds are
    limited per client so that tracking numbers cannot be tried out in bulk.
    """
    params = request.POST if request.method == "POST" else request.GET
    tracking_number = params.get("tracking_number", "")[:40]
    found, not_found, throttled = None, False, False
    if request.method == "POST" or (tracking_number and "code" in params):
        throttled = _too_many_lookups(request)
        if not throttled:
            if request.method == "POST":
                found = selectors.find_for_citizen(tracking_number, request.POST.get("email", ""))
                if found is not None:  # redirect after POST: a reload shows the status, not a resubmit
                    schema = request.commune.schema_name  # type: ignore[attr-defined]
                    return redirect(status_links.status_path(schema, found.tracking_number))
            else:
                found = selectors.find_by_status_link(tracking_number, params.get("code", "")[:200])
            not_found = found is None
    context = {
        "found": found,
        "payment_path": links.path(found.tracking_number)
        if found and found.payment_status in (PaymentStatus.UNPAID, PaymentStatus.FAILED)
        else "",
        "not_found": not_found,
        "by_link": request.method == "GET",
        "throttled": throttled,
        "tracking_number": tracking_number,
    }
    return render(request, "portal/status.html", context, status=429 if throttled else 200)
