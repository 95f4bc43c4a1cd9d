"""The operator console on the platform host (``/operator/``)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import tenant_context

from accounts.models import User
from activations.models import Activation
from audit import services as audit
from billing.selectors import billing_state
from operators import actions, roles, selectors, stats
from operators.audit_csv import audit_csv_response
from operators.decorators import operator_required
from operators.forms import ActionForm, NewTokenForm, RoleForm, TokenForm
from operators.models import OperatorProfile, OperatorToken, Role
from tenants import actions as tenant_actions
from tenants.models import Commune

PAGE_SIZE = 50


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    ok = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    return target if ok and target.startswith("/operator/") else "/operator/"


@operator_required(verified=False)
def enrol(request: HttpRequest, key: str) -> HttpResponse:
    """Enrol an authenticator app through a one-time invitation link; show the recovery codes once."""
    user: Any = request.user
    invitation = actions.usable_invitation(user, key)
    if invitation is None:
        return render(request, "operators/enrol_invalid.html", status=404)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
        user=user, name="authenticator", confirmed=False
    )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            try:
                codes = actions.complete_enrolment(invitation, device)
            except ValidationError:
                return render(request, "operators/enrol_invalid.html", status=404)
            otp_login(request, device)
            response = render(request, "operators/recovery_codes.html", {"codes": codes})
            response["Cache-Control"] = "no-store"
            return response
        form.add_error("token", _("The code is wrong or expired; try the current one."))
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    svg = image.to_string(encoding="unicode")
    response = render(
        request,
        "operators/enrol.html",
        {"form": form, "otpauth_uri": device.config_url, "qr_svg": mark_safe(svg)},  # noqa: S308
    )
    response["Cache-Control"] = "no-store"
    return response


@operator_required(verified=False)
def otp_verify(request: HttpRequest) -> HttpResponse:
    """Second step of signing in: a code from the enrolled authenticator app, or a recovery code."""
    user: Any = request.user
    if not user_has_device(user):
        return render(request, "operators/otp_missing.html", status=403)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error("token", _("The code is wrong or expired; try the current one."))
    return render(request, "operators/otp_verify.html", {"form": form, "next": _next_url(request)})


@operator_required()
def tenant_list(request: HttpRequest) -> HttpResponse:
    """All communes with their figures from ``TenantStats``; searchable, filterable, paginated."""
    filters = {key: request.GET.get(key, "") for key in ("q", "status", "land", "landkreis", "migration", "billing")}
    page = Paginator(selectors.tenants(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "operators/tenant_list.html",
        {
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "statuses": Commune.Status.choices,
            "refreshed_at": stats.stats_refreshed_at(),
            **selectors.filter_choices(),
        },
    )


@operator_required()
def tenant_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One commune: hosts, activations (read in its schema), migration state, audit trail, archives."""
    commune = get_object_or_404(selectors.tenants(), slug=slug)
    activations: list[Activation] = []
    if commune.status in (Commune.Status.ACTIVE, Commune.Status.SUSPENDED):
        with tenant_context(commune):
            activations = list(Activation.objects.select_related("service", "version").order_by("service__slug"))
    exports = []
    prefix = actions.exports_prefix(commune)
    with contextlib.suppress(FileNotFoundError):
        exports = sorted(default_storage.listdir(prefix)[1], reverse=True)
    return render(
        request,
        "operators/tenant_detail.html",
        {
            "tenant": commune,
            "domains": commune.domains.order_by("-is_primary", "domain"),
            "activations": activations,
            "has_schema": commune.status in WITH_SCHEMA,
            "events": selectors.audit_events({"commune": commune.slug})[:50],
            "transitions": commune.transitions.order_by("-at")[:20],
            "exports": exports,
            "actions": [a for a in TENANT_ACTIONS.values() if a.applies(commune)],
            "billing": billing_state(commune),
            "can_act": roles.allows(request.operator_role, Role.OPERATOR),  # type: ignore[attr-defined]
        },
    )


@require_POST
@operator_required()
def tenant_refresh_figures(request: HttpRequest, slug: str) -> HttpResponse:
    """Recount one commune's figures now instead of waiting for the periodic refresh."""
    commune = get_object_or_404(Commune, slug=slug, status__in=WITH_SCHEMA)
    stats.refresh_commune_stats(commune)
    messages.success(request, _("The figures of %(name)s are up to date.") % {"name": commune.name})
    return redirect("operators:tenant-detail", slug=commune.slug)


@dataclass(frozen=True)
class TenantAction:
    """An action on a commune that the console asks to confirm before it runs."""

    key: str
    title: str | Promise
    explanation: str | Promise
    run: Callable[[Commune, str, str], str]
    statuses: tuple[str, ...]
    needs_reason: bool = False
    confirm_slug: bool = False

    def applies(self, commune: Commune) -> bool:
        return commune.status in self.statuses


def _suspend(commune: Commune, actor: str, reason: str) -> str:
    tenant_actions.suspend_commune(commune, actor=actor, reason=reason)
    return _("%(name)s is suspended.") % {"name": commune.name}


def _reactivate(commune: Commune, actor: str, reason: str) -> str:
    tenant_actions.reactivate_commune(commune, actor=actor, reason=reason)
    return _("%(name)s is active again.") % {"name": commune.name}


def _migrate(commune: Commune, actor: str, reason: str) -> str:
    actions.migrate_commune(commune, actor=actor)
    return _("The schema of %(name)s is migrated.") % {"name": commune.name}


def _export(commune: Commune, actor: str, reason: str) -> str:
    export = actions.export_commune(commune, actor=actor)
    return _("Archive %(path)s written (SHA-256 %(sha)s).") % {"path": export.path, "sha": export.sha256}


def _offboard(commune: Commune, actor: str, reason: str) -> str:
    export = actions.offboard_commune(commune, actor=actor, reason=reason)
    return _("%(name)s is offboarded; its archive is %(path)s.") % {"name": commune.name, "path": export.path}


WITH_SCHEMA = (Commune.Status.ACTIVE, Commune.Status.SUSPENDED)
TENANT_ACTIONS = {
    action.key: action
    for action in (
        TenantAction(
            "suspend",
            gettext_lazy("Suspend"),
            gettext_lazy("The portal and API of this commune answer 503 until it is reactivated. No data is lost."),
            _suspend,
            (Commune.Status.ACTIVE,),
            needs_reason=True,
        ),
        TenantAction(
            "reactivate",
            gettext_lazy("Reactivate"),
            gettext_lazy("The portal and API of this commune open again."),
            _reactivate,
            (Commune.Status.SUSPENDED,),
        ),
        TenantAction(
            "migrate",
            gettext_lazy("Migrate schema"),
            gettext_lazy("Applies every pending migration to this commune's schema (migrate_schemas --schema)."),
            _migrate,
            WITH_SCHEMA,
        ),
        TenantAction(
            "export",
            gettext_lazy("Export"),
            gettext_lazy("Writes an archive of all data and files of this commune (zip with manifest and checksums)."),
            _export,
            WITH_SCHEMA,
        ),
        TenantAction(
            "offboard",
            gettext_lazy("Offboard"),
            gettext_lazy(
                "Exports the commune, then closes its portal and API for good. Its schema and files are "
                "deleted after the retention period; billing is told to cancel the subscription."
            ),
            _offboard,
            WITH_SCHEMA,
            needs_reason=True,
            confirm_slug=True,
        ),
    )
}


@operator_required(Role.OPERATOR)
def tenant_action(request: HttpRequest, slug: str, action: str) -> HttpResponse:
    """Confirmation page (GET) and execution (POST) of one tenant action."""
    spec = TENANT_ACTIONS.get(action)
    commune = get_object_or_404(Commune, slug=slug)
    if spec is None or not spec.applies(commune):
        raise Http404  # no such action, or not for a commune in this status
    form = ActionForm(
        request.POST if request.method == "POST" else None,
        needs_reason=spec.needs_reason,
        expected_slug=commune.slug if spec.confirm_slug else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            message = spec.run(commune, roles.actor(request.user), form.cleaned_data.get("reason", ""))
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, message)
            return redirect("operators:tenant-detail", slug=commune.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "operators/tenant_action.html", {"tenant": commune, "spec": spec, "form": form}, status=status
    )


@operator_required(Role.OPERATOR)
def export_download(request: HttpRequest, slug: str, name: str) -> FileResponse:
    """Download one stored archive of a commune."""
    commune = get_object_or_404(Commune, slug=slug)
    path = actions.exports_prefix(commune) + name
    if "/" in name or not default_storage.exists(path):
        raise Http404
    audit.record(
        "commune.export_downloaded", actor=roles.actor(request.user), commune=commune, target=commune.slug, path=path
    )
    return FileResponse(
        default_storage.open(path, "rb"), as_attachment=True, filename=name, content_type="application/zip"
    )


AUDIT_FILTERS = ("commune", "actor", "action", "since", "until")


@operator_required()
def audit_log(request: HttpRequest) -> HttpResponse:
    """The audit log, filterable by commune, actor, action and time."""
    filters = {key: request.GET.get(key, "") for key in AUDIT_FILTERS}
    page = Paginator(selectors.audit_events(filters).select_related(None), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "operators/audit_log.html", {"page": page, "filters": filters, "query": query.urlencode()})


@operator_required()
def audit_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered audit log as CSV, streamed."""
    return audit_csv_response(selectors.audit_events({key: request.GET.get(key, "") for key in AUDIT_FILTERS}))


@operator_required()
def usage(request: HttpRequest) -> HttpResponse:
    """Bar charts of communes by status, registrations per week, activations per service."""
    return render(
        request,
        "operators/usage.html",
        {"charts": selectors.usage_overview(), "refreshed_at": stats.stats_refreshed_at()},
    )


@operator_required(Role.ADMIN)
def tokens(request: HttpRequest) -> HttpResponse:
    """API tokens: list, create (the key is shown once) and revoke; administrators only."""
    operators = User.objects.filter(is_active=True).filter(operator_profile__isnull=False) | User.objects.filter(
        is_active=True, is_superuser=True
    )
    form = NewTokenForm(request.POST or None, operators=operators.distinct().order_by("email"))
    new_key = None
    if request.method == "POST" and form.is_valid():
        _token, new_key = actions.create_token(
            form.cleaned_data["operator"],
            name=form.cleaned_data["name"],
            actor=roles.actor(request.user),
            lifetime=timedelta(days=form.cleaned_data["days"]),
        )
        form = NewTokenForm(operators=operators.distinct().order_by("email"))
    return render(
        request,
        "operators/tokens.html",
        {"form": form, "new_key": new_key, "tokens": OperatorToken.objects.select_related("operator")[:200]},
    )


@require_POST
@operator_required(Role.ADMIN)
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one API token."""
    token = get_object_or_404(OperatorToken, pk=pk)
    actions.revoke_token(token, actor=roles.actor(request.user))
    messages.success(request, _("Token %(prefix)s… is revoked.") % {"prefix": token.prefix})
    return redirect("operators:tokens")


@operator_required(Role.ADMIN)
def team(request: HttpRequest) -> HttpResponse:
    """Operators and their roles; administrators only."""
    form = RoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        operator = form.cleaned_data["email"]
        actions.set_role(operator, form.cleaned_data["role"], actor=roles.actor(request.user))
        messages.success(request, _("The role is saved."))
        if not user_has_device(operator):
            actions.invite_operator(operator, actor=roles.actor(request.user))
            messages.success(
                request,
                _("An invitation link to set up the second factor was e-mailed to %(email)s.")
                % {"email": operator.email},
            )
        return redirect("operators:team")
    profiles = OperatorProfile.objects.select_related("user").order_by("user__email")
    return render(request, "operators/team.html", {"form": form, "profiles": profiles})


@require_POST
@operator_required(Role.ADMIN)
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    """E-mail an operator a new enrolment link (a lost phone); their current second factor stays until it is used."""
    profile = get_object_or_404(OperatorProfile.objects.select_related("user"), pk=pk)
    actions.invite_operator(profile.user, actor=roles.actor(request.user))
    messages.success(
        request,
        _("An invitation link to set up the second factor was e-mailed to %(email)s.") % {"email": profile.user.email},
    )
    return redirect("operators:team")
