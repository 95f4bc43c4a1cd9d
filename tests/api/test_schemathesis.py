"""schemathesis against the live application: every operation of both documents, all checks.

A live server (pytest-django's ``live_server``) answers for the platform host and for Zeitz;
requests are sent to it with the ``Host`` header of each. The tenant host is called with an API
key holding every scope. The platform host is called without an operator token, so the operator
API is checked for its 401 only: schemathesis fills path parameters from the documents' examples
(``zeitz``), and with a token it suspended and offboarded the session's shared communes, which
every later test needs; tests/operators covers those operations with their own data. Generation
is deterministic (``derandomize``) and small (``max_examples``) to keep the run to a few minutes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from integrations.models import ApiKey, WebhookDelivery, WebhookSubscription
from kommunal.api.models import IdempotencyRecord
from tenants.db import connection
from tests.api.helpers import create_key
from tests.catalog_helpers import load_shipped_catalogue

DOCS = Path(__file__).resolve().parents[2] / "docs"
PUBLIC = schemathesis.openapi.from_path(DOCS / "openapi-public.yaml")
TENANT = schemathesis.openapi.from_path(DOCS / "openapi-tenant.yaml")
HYPOTHESIS = settings(
    max_examples=10,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
for _schema in (PUBLIC, TENANT):
    # An Idempotency-Key that an earlier generated request already used with another body is
    # rightly refused with 422: whether a key is fresh depends on the server's state, which no
    # schema can express. Every other check and status expectation stays as schemathesis defines it.
    _acceptance = _schema.config.checks.positive_data_acceptance
    _acceptance.expected_statuses = [*_acceptance.expected_statuses, "422"]
# These operations check their input against stored data no schema can express: an AGS must be in
# the official directory (and free), a service must be in the catalogue (and offered), and a
# request's ``data`` must satisfy the form of the version the commune runs, an appointment must
# be a free slot of a service booked by appointment. A 400 naming the field
# is their correct answer to schema-valid but unknown values, so only the "schema-valid data is
# accepted" check is left out for them; every other check still runs on them.
VALIDATED_AGAINST_STORED_DATA = {
    ("POST", "/api/v1/signups/"),
    ("POST", "/api/v1/activations/"),
    ("POST", "/api/v1/requests/"),
    ("POST", "/api/v1/appointments/bookings/"),
}


def _excluded_checks(case) -> list:  # type: ignore[no-untyped-def]
    if (case.method.upper(), case.operation.path) in VALIDATED_AGAINST_STORED_DATA:
        return [positive_data_acceptance]
    return []


# Generous limits: the checks send many requests per minute from one key; 429 is tested elsewhere.
RATES = {"key": 1_000_000, "user": 1_000_000, "anon": 1_000_000}


def _host(live_server, host: str) -> dict[str, str]:
    return {"Host": f"{host}:{live_server.url.rsplit(':', 1)[1]}"}


@pytest.fixture
def zeitz_key(communes, live_server) -> Iterator[tuple[str, int]]:
    """A key of Zeitz with every scope; what the run created in the schemas is removed after it."""
    secret = create_key(communes.zeitz)
    connection.set_tenant(communes.zeitz)
    key_id = ApiKey.objects.get(prefix=secret[:16]).pk
    connection.set_schema_to_public()
    yield secret, key_id
    for commune in (communes.zeitz, communes.borna):
        connection.set_tenant(commune)
        for model in (WebhookDelivery, WebhookSubscription, ApiKey, IdempotencyRecord):
            model.objects.all().delete()
    connection.set_schema_to_public()


@pytest.fixture
def shipped_catalogue(communes, live_server) -> None:
    """The seed catalogue: applications name its services; the flush after each test empties it."""
    load_shipped_catalogue()


@PUBLIC.parametrize()
@HYPOTHESIS
@override_settings(KOMMUNAL_API_RATES=RATES)
def test_platform_api_conforms_to_its_document(case, communes, live_server, shipped_catalogue) -> None:
    case.call_and_validate(
        base_url=live_server.url, headers=_host(live_server, "localhost"), excluded_checks=_excluded_checks(case)
    )


@TENANT.parametrize()
@HYPOTHESIS
@override_settings(KOMMUNAL_API_RATES=RATES)
def test_commune_api_conforms_to_its_document(case, communes, live_server, zeitz_key) -> None:
    secret, key_id = zeitz_key
    # Revoking the run's own key would turn every later call into a 401 and test nothing more.
    if case.path.endswith("/revoke/") and case.path_parameters and case.path_parameters.get("id") == key_id:
        case.path_parameters["id"] = key_id + 1_000_000
    headers = {**_host(live_server, communes.zeitz.primary_host), "Authorization": f"Bearer {secret}"}
    case.call_and_validate(base_url=live_server.url, headers=headers, excluded_checks=_excluded_checks(case))
