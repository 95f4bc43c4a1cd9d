"""The signup wizard, the applicant's status page, the legal texts and the operators' review list."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kommunal.api.callers import request_client_address
from operators.decorators import operator_required
from operators.models import Role
from signup import actions, legal, ratelimit, selectors
from signup.forms import ApplicationForm, RejectForm, SearchForm
from signup.models import Application
from signup.provisioning import STEP_LABELS
from tenants.models import Municipality

STATUS_POLL_SECONDS = 30


def start(request: HttpRequest) -> HttpResponse:
    """Step 1: find the commune (a search form; typeahead.js enhances it)."""
    form = SearchForm(request.GET or None)
    results = None
    if form.is_valid() and form.cleaned_data["q"].strip():
        try:
            ratelimit.hit("search-ip", request_client_address(request))
        except ratelimit.Limited:
            messages.error(request, _("Too many searches; please wait a moment."))
        else:
            results = list(selectors.municipalities_for_signup(form.cleaned_data["q"]))
    return render(request, "signup/start.html", {"form": form, "results": results})


def apply(request: HttpRequest, ags: str) -> HttpResponse:
    """Steps 2 and 3: applicant, terms, services and billing contact; success redirects (no re-post)."""
    municipality = get_object_or_404(Municipality, ags=ags, retired_at__isnull=True)
    form = ApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if form.is_bot:
            # Look exactly like success, store nothing.
            return redirect("signup:submitted")
        try:
            ratelimit.hit("signup-ip", request_client_address(request))
            ratelimit.hit("signup-email", form.cleaned_data["applicant_email"])
            actions.submit_application(ags=ags, **form.application_data())
        except ratelimit.Limited as limited:
            minutes = max(1, limited.retry_after // 60)
            messages.error(
                request, _("Too many applications; please try again in %(minutes)d minutes.") % {"minutes": minutes}
            )
            return _apply_page(request, form, municipality, status=429)
        except ratelimit.Unavailable:
            messages.error(request, _("Applications cannot be accepted right now; please try again in a few minutes."))
            return _apply_page(request, form, municipality, status=503)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return redirect("signup:submitted")  # a reload of the next page never posts again
    return _apply_page(request, form, municipality, status=400 if form.errors else 200)


def _apply_page(
    request: HttpRequest, form: ApplicationForm, municipality: Municipality, *, status: int
) -> HttpResponse:
    context = {
        "form": form,
        "municipality": municipality,
        "error_items": form.error_items() if form.is_bound else [],
        "terms_version": legal.TERMS_VERSION,
        "dpa_version": legal.DPA_VERSION,
    }
    return render(request, "signup/apply.html", context, status=status)


def submitted(request: HttpRequest) -> HttpResponse:
    """After the application: please confirm the e-mail address (the page the POST redirects to)."""
    return render(request, "signup/submitted.html")


def _add_errors(form: ApplicationForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def verify(request: HttpRequest, token: str) -> HttpResponse:
    """Step 4: confirm the e-mail address. GET only asks (mail scanners follow links); POST confirms."""
    if request.method != "POST":
        return render(request, "signup/verify.html", {"token": token})
    application = actions.verify_email(token)
    if application is None:
        return render(request, "signup/verify_failed.html", status=400)
    return redirect("signup:status", pk=application.pk)


def status(request: HttpRequest, pk: str) -> HttpResponse:
    """The application's progress; the applicant checks it with a button, status-poll.js every 30 s.

    No automatic reload of the page (WCAG 2.2.1 and 2.2.2): the script only replaces the status
    region, announces changes politely and can be paused.
    """
    application = get_object_or_404(Application.objects.select_related("commune"), pk=pk)
    steps = [(label, name in application.steps_done) for name, label in STEP_LABELS.items()]
    waiting = application.status in (Application.Status.PENDING_REVIEW, Application.Status.PROVISIONING)
    context = {"application": application, "steps": steps, "waiting": waiting, "poll_seconds": STATUS_POLL_SECONDS}
    return render(request, "signup/status.html", context)


def legal_text(request: HttpRequest, document: str) -> HttpResponse:
    """The terms of use or the data processing agreement, in the version applicants accept."""
    version = {"terms": legal.TERMS_VERSION, "dpa": legal.DPA_VERSION}[document]
    return render(request, f"signup/legal/{document}.html", {"version": version})


@operator_required(Role.OPERATOR)
def review_list(request: HttpRequest) -> HttpResponse:
    """Applications waiting for an operator."""
    return render(
        request,
        "signup/review_list.html",
        {"applications": selectors.applications_for_review(), "reject_form": RejectForm()},
    )


def _operator(request: HttpRequest) -> str:
    return f"operator:{request.user.email}"  # type: ignore[union-attr]


@require_POST
@operator_required(Role.OPERATOR)
def review_approve(request: HttpRequest, pk: str) -> HttpResponse:
    application = get_object_or_404(Application, pk=pk)
    try:
        actions.approve_application(application, actor=_operator(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(name)s approved.") % {"name": application.commune_name})
    return redirect("signup:review")


@require_POST
@operator_required(Role.OPERATOR)
def review_reject(request: HttpRequest, pk: str) -> HttpResponse:
    application = get_object_or_404(Application, pk=pk)
    form = RejectForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Say why the application is rejected."))
        actions.reject_application(application, actor=_operator(request), reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(name)s rejected.") % {"name": application.commune_name})
    return redirect("signup:review")
