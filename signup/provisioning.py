"""Setting up an approved commune, step by step, with the progress visible to the applicant.

Each step is idempotent: a provisioning killed at any point completes when it runs again (the
task again, or ``kommunal reconcile_tenants``). A step that raises undoes everything made so
far (schema, host, accounts, registry entry) and marks the application failed; an operator can
approve it again to retry.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.services import ensure_user, invitation_path
from activations.services import activate_service
from audit import services as audit
from billing.services import BillingContact, ensure_customer
from kommunal.hosts import url_for_host
from signup.models import Application
from tenants import actions as tenant_actions
from tenants.db import connection
from tenants.models import Commune
from tenants.provisioning import discard_commune, ensure_primary_domain, ensure_schema

logger = logging.getLogger(__name__)

# The steps in order, with what the status page calls them.
STEP_LABELS = {
    "commune": _("Registry entry"),
    "schema": _("Database schema"),
    "domain": _("Web address"),
    "admin": _("Administrator account"),
    "services": _("Chosen services"),
    "billing": _("Billing customer"),
    "welcome_mail": _("Welcome e-mail"),
    "open": _("Portal opened"),
}


def _actor(application: Application) -> str:
    return f"signup:{application.pk}"


def step_commune(application: Application) -> None:
    """The commune's registry entry (made at approval; again after a failed attempt removed it)."""
    if application.commune is None:
        application.commune = tenant_actions.register_commune(
            ags=application.ags, actor=_actor(application), status=Commune.Status.PROVISIONING
        )
        Application.objects.filter(pk=application.pk).update(commune=application.commune)


def step_schema(application: Application) -> None:
    """The commune's schema, cloned from the template when it is current."""
    assert application.commune is not None
    ensure_schema(application.commune)


def step_domain(application: Application) -> None:
    """``<slug>.<KOMMUNAL_DOMAIN>``."""
    assert application.commune is not None
    ensure_primary_domain(application.commune)


def step_admin(application: Application) -> None:
    """The applicant's administrator account, without a password until the invitation is used."""
    assert application.commune is not None
    with tenant_context(application.commune), transaction.atomic():
        ensure_user(email=application.applicant_email, full_name=application.applicant_name, role=User.Role.ADMIN)


def step_services(application: Application) -> None:
    """Activate the services chosen in the application (already active ones stay as they are)."""
    assert application.commune is not None
    with tenant_context(application.commune):
        for slug in application.services:
            activate_service(service_slug=slug, actor=_actor(application))


def step_billing(application: Application) -> None:
    """Record the billing contact and create the Stripe customer when billing is configured.

    Nothing happens with billing off; a Stripe outage only queues the customer (billing's outbox).
    """
    assert application.commune is not None
    contact = BillingContact(
        name=application.invoice_recipient or application.commune.name,
        email=application.invoice_email or application.applicant_email,
        address_line1=application.invoice_street,
        postal_code=application.invoice_postcode,
        city=application.invoice_city,
        leitweg_id=application.leitweg_id,
    )
    ensure_customer(application.commune, billing_contact=contact, actor=_actor(application))


def step_welcome_mail(application: Application) -> None:
    """Mail the applicant the portal's address and the invitation link to set a password."""
    from signup.actions import mail_applicant

    commune = application.commune
    assert commune is not None
    with tenant_context(commune):
        admin = User.objects.get(email=application.applicant_email)
        invitation = url_for_host(commune.primary_host) + invitation_path(admin)
    mail_applicant(application, "welcome", commune=commune, portal_url=commune.portal_url, invitation_url=invitation)


def step_open(application: Application) -> None:
    """Open the portal: the commune becomes active."""
    assert application.commune is not None
    tenant_actions.transition(application.commune, Commune.Status.ACTIVE, actor=_actor(application))


def steps() -> list[tuple[str, Callable[[Application], None]]]:
    """The steps in order (looked up when called, so tests can replace one)."""
    return [
        ("commune", step_commune),
        ("schema", step_schema),
        ("domain", step_domain),
        ("admin", step_admin),
        ("services", step_services),
        ("billing", step_billing),
        ("welcome_mail", step_welcome_mail),
        ("open", step_open),
    ]


def run(application_id: str) -> Application:
    """Run the steps not yet done for an application being provisioned; return it afterwards.

    A PostgreSQL advisory lock per application makes a second worker (a redelivered task, a
    reconcile run) return at once instead of provisioning the same commune in parallel.
    """
    lock_key = uuid.UUID(str(application_id)).int & 0x7FFFFFFFFFFFFFFF
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [lock_key])
        locked = cursor.fetchone()[0]
    if not locked:
        return Application.objects.get(pk=application_id)
    try:
        return _run(application_id)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [lock_key])


def _run(application_id: str) -> Application:
    application = Application.objects.select_related("commune").get(pk=application_id)
    if application.status != Application.Status.PROVISIONING:
        return application
    for name, step in steps():
        if name in application.steps_done:
            continue
        try:
            step(application)
        except Exception as exc:
            logger.exception("provisioning of %s failed at step %s", application.ags, name)
            _undo(application, name, exc)
            return application
        application.steps_done = [*application.steps_done, name]
        Application.objects.filter(pk=application.pk).update(steps_done=application.steps_done)
    with transaction.atomic():
        application.status = Application.Status.ACTIVE
        application.save(update_fields=["status", "updated_at"])
        audit.record(
            "signup.provisioned", actor=_actor(application), commune=application.commune, target=str(application.pk)
        )
    return application


def _undo(application: Application, step: str, exc: Exception) -> None:
    """Remove everything made for the application and mark it failed, naming the step."""
    commune = Commune.objects.filter(pk=application.commune_id).first() if application.commune_id else None
    if commune is not None and commune.status == Commune.Status.PROVISIONING:
        discard_commune(commune, actor=_actor(application), reason=f"provisioning failed at {step}")
    application.status = Application.Status.FAILED
    application.commune = None
    application.steps_done = []
    application.provisioning_error = f"{step}: {type(exc).__name__}: {exc}"[:2000]
    application.save(update_fields=["status", "commune", "steps_done", "provisioning_error", "updated_at"])
    audit.record("signup.provisioning_failed", actor=_actor(application), target=str(application.pk), step=step)


def resume_commune(commune: Commune) -> bool:
    """Finish provisioning a commune left in ``provisioning``; ``False`` if no application drives it."""
    application = Application.objects.filter(commune=commune, status=Application.Status.PROVISIONING).first()
    if application is None:
        return False
    return run(str(application.pk)).status == Application.Status.ACTIVE
