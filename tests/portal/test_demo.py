"""The demo communes of ``make run`` offer services and have sample requests (idempotent)."""

import pytest
from django_tenants.utils import tenant_context

from citizen_requests.demo import seed_demo_services
from citizen_requests.models import CitizenRequest
from citizen_requests.selectors import active_activations
from tests.helpers import host_client

pytestmark = pytest.mark.django_db


def test_demo_seeding_is_idempotent_and_offers_emobility_in_zeitz(catalogue, communes) -> None:
    seed_demo_services(communes.zeitz)
    seed_demo_services(communes.zeitz)
    with tenant_context(communes.zeitz):
        offered = list(active_activations())
        assert len(offered) >= 5
        assert any(a.service.is_emobility for a in offered)
        requests = list(CitizenRequest.objects.prefetch_related("changes"))
        assert len(requests) == 3
        for request in requests:  # the sample history follows the lifecycle
            steps = [c.to_status for c in request.changes.all()]
            assert steps[-1] == request.status
            assert steps[0] == "received"
    assert "Antrag Ladesäule im öffentlichen Raum" in host_client(communes.zeitz).get("/").content.decode()
