"""Demo data for ``make run``: an operator and five real communes of the lignite regions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from appointments.demo import seed_demo_appointments
from billing.demo import seed_demo_billing
from branding.demo import brand_demo_communes
from citizen_requests.demo import seed_demo_services
from operators.actions import invite_operator
from operators.stats import refresh_tenant_stats
from tenants import actions
from tenants.models import Commune
from tenants.provisioning import provision_commune
from transmission.demo import route_demo_parking_permit

OPERATOR_EMAIL = "operator@kommunal.localhost"
DEMO_PASSWORD = "kommunal-demo-2026"  # noqa: S105  (printed for local use; never in production)


@dataclass(frozen=True)
class DemoCommune:
    ags: str
    slug: str
    admin_email: str
    admin_name: str


DEMO_COMMUNES = [
    DemoCommune("15084590", "zeitz", "admin@zeitz.localhost", "Katrin Wagner"),
    DemoCommune("14626600", "weisswasser", "admin@weisswasser.localhost", "Jens Kubasch"),
    DemoCommune("14625240", "hoyerswerda", "admin@hoyerswerda.localhost", "Anja Nowak"),
    DemoCommune("12071372", "spremberg", "admin@spremberg.localhost", "Thomas Lehmann"),
    DemoCommune("14729050", "borna", "admin@borna.localhost", "Sabine Richter"),
]


@dataclass(frozen=True)
class DemoLogin:
    where: str
    url: str
    email: str
    note: str = ""


def operator_enrolment_note(operator: Any) -> str:
    """Until the demo operator has a second factor: the one-time link that sets it up (operators
    enrol by invitation only, never at a password sign-in)."""
    if TOTPDevice.objects.filter(user=operator, confirmed=True).exists():
        return ""
    return f"sign in, then set up the second factor at {settings.KOMMUNAL_PUBLIC_URL}{invite_operator(operator, actor='demo')}"


def seed_demo_data() -> list[DemoLogin]:
    """Create the demo operator and communes unless they exist; return where to sign in."""
    with transaction.atomic():
        operator = User.objects.filter(email=OPERATOR_EMAIL).first() or User.objects.create_superuser(
            OPERATOR_EMAIL, DEMO_PASSWORD, full_name="Demo Operator"
        )
    logins = [DemoLogin("Operator (platform)", "", OPERATOR_EMAIL, note=operator_enrolment_note(operator))]
    communes = []
    for demo in DEMO_COMMUNES:
        commune = Commune.objects.filter(ags=demo.ags).first() or actions.register_commune(
            ags=demo.ags, slug=demo.slug, actor="demo"
        )
        result = provision_commune(
            commune,
            admin_email=demo.admin_email,
            admin_name=demo.admin_name,
            actor="demo",
            admin_password=DEMO_PASSWORD,
        )
        seed_demo_services(commune)
        if demo.slug == "zeitz":
            route_demo_parking_permit(commune)
            seed_demo_appointments(commune)
        logins.append(DemoLogin(commune.name, result.url, demo.admin_email))
        communes.append(commune)
    seed_demo_billing(communes)
    brand_demo_communes()
    refresh_tenant_stats()
    return logins
