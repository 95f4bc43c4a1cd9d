"""Activating a service pins its version and touches no other commune."""

import pytest
from django_tenants.utils import tenant_context

from activations.models import Activation, ActivationEvent
from activations.services import activate_service, deactivate_service, upgrade_activation
from tests.factories import ServiceVersionFactory

pytestmark = pytest.mark.django_db


def test_activation_is_idempotent_and_pinned_until_upgrade(communes) -> None:
    v1 = ServiceVersionFactory()
    with tenant_context(communes.zeitz):
        first = activate_service(service_slug=v1.service.slug, actor="admin@zeitz.example")
        again = activate_service(service_slug=v1.service.slug, actor="admin@zeitz.example")
        assert first.pk == again.pk
        assert ActivationEvent.objects.filter(activation=first).count() == 1

    v2 = ServiceVersionFactory(service=v1.service, number=2)
    with tenant_context(communes.zeitz):
        assert Activation.objects.get(pk=first.pk).version == v1
        upgraded = upgrade_activation(first, actor="admin@zeitz.example")
        assert upgraded.version == v2

    with tenant_context(communes.borna):
        assert not Activation.objects.exists()


def test_deactivate_then_activate_reactivates_at_the_same_version(communes) -> None:
    version = ServiceVersionFactory()
    with tenant_context(communes.zeitz):
        activation = activate_service(service_slug=version.service.slug, actor="a")
        deactivate_service(activation, actor="a")
        assert not Activation.objects.get(pk=activation.pk).is_active
        reactivated = activate_service(service_slug=version.service.slug, actor="a")
        assert reactivated.is_active
        actions = list(ActivationEvent.objects.filter(activation=activation).values_list("action", flat=True))
        assert actions == ["activated", "deactivated", "reactivated"]
