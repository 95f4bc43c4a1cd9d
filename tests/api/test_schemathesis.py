"""schemathesis against the live application: every operation of both documents, all checks.

A live server (pytest-django's ``live_server``) answers for the platform host and for Zeitz;
requests are sent to it with the ``Host`` header of each. The tenant host is called with an API
key holding every scope, the platform host with an operator token (role ``operator``), so the
operator API is exercised beyond its 401. Path parameters naming the session's shared communes
(the documents' examples say ``zeitz``) are pointed at a slug no commune has, so that generated
suspensions and offboardings can never hit the communes every later test needs; tests/operators
covers those operations with their own data.

Two runs per document:

- conformance: every check of schemathesis (status codes, content types, response schemas,
  schema-valid data accepted, schema-invalid data refused, ...). NUL is left out of its
  generated strings: the API refuses NUL with 400 on purpose, which no JSON Schema expresses.
- hostile values: the generated requests, with a string made to carry NUL, a number made
  ``NaN``/``Infinity`` or a member nested 5,000 deep (and NUL allowed in every parameter). The
  answer must never be a 5xx, and every 4xx must be a problem document.

Generation is deterministic (``derandomize``). ``KOMMUNAL_FUZZ_EXAMPLES`` sets the examples per
operation: 6 in ``make test`` (4 in the hostile runs; all four runs take about five minutes on a
busy two-core machine), 200 with ``make fuzz``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.test import override_settings
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import positive_data_acceptance

from integrations.models import ApiKey, WebhookDelivery, WebhookSubscription
from kommunal.api.models import IdempotencyRecord
from kommunal.api.problems import PROBLEM_CONTENT_TYPE
from operators import actions as operator_actions
from operators.models import Role
from tenants.db import connection
from tests.api.helpers import create_key
from tests.catalog_helpers import load_shipped_catalogue
from tests.operator_helpers import make_operator

DOCS = Path(__file__).resolve().parents[2] / "docs"
EXAMPLES = int(os.environ.get("KOMMUNAL_FUZZ_EXAMPLES", "6"))
PUBLIC = schemathesis.openapi.from_path(DOCS / "openapi-public.yaml")
TENANT = schemathesis.openapi.from_path(DOCS / "openapi-tenant.yaml")
PUBLIC_HOSTILE = schemathesis.openapi.from_path(DOCS / "openapi-public.yaml")
TENANT_HOSTILE = schemathesis.openapi.from_path(DOCS / "openapi-tenant.yaml")
HYPOTHESIS = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
# The hostile runs vary one value per request; fewer examples cover their four kinds.
HOSTILE_HYPOTHESIS = settings(HYPOTHESIS, max_examples=max(4, EXAMPLES * 2 // 3))
for _schema in (PUBLIC, TENANT, PUBLIC_HOSTILE, TENANT_HOSTILE):
    # The run's own credentials go into every request; generating (and leaving out) the
    # Authorization header would only test that the run overrides it. 401s are tested elsewhere.
    _schema.config.generation.update(with_security_parameters=False)
for _schema in (PUBLIC, TENANT):
    _schema.config.generation.update(allow_x00=False)
    # An Idempotency-Key that an earlier generated request already used with another body is
    # rightly refused with 422: whether a key is fresh depends on the server's state, which no
    # schema can express. Every other check and status expectation stays as schemathesis defines it.
    _acceptance = _schema.config.checks.positive_data_acceptance
    _acceptance.expected_statuses = [*_acceptance.expected_statuses, "422"]
# These operations check their input against stored data no schema can express: an AGS must be in
# the official directory (and free), a service must be in the catalogue (and offered), a request's
# ``data`` must satisfy the form of the version the commune runs, an appointment must be a free
# slot of a service booked by appointment, and an operator decision needs an application or
# commune in the right state. A 4xx naming the problem is their correct answer to schema-valid but
# unknown values, so only the "schema-valid data is accepted" check is left out for them; every
# other check still runs on them.
VALIDATED_AGAINST_STORED_DATA = {
    ("POST", "/api/v1/signups/"),
    ("POST", "/api/v1/activations/"),
    ("POST", "/api/v1/requests/"),
    ("POST", "/api/v1/appointments/bookings/"),
}
SHARED_COMMUNES = {"zeitz", "borna"}
NOWHERE = "fuzz-nowhere"


def _excluded_checks(case) -> list:  # type: ignore[no-untyped-def]
    if (case.method.upper(), case.operation.path) in VALIDATED_AGAINST_STORED_DATA:
        return [positive_data_acceptance]
    return []


# Generous limits: the checks send many requests per minute from one key; 429 is tested elsewhere.
RATES = {"key": 1_000_000, "user": 1_000_000, "anon": 1_000_000}


def _host(live_server, host: str) -> dict[str, str]:
    return {"Host": f"{host}:{live_server.url.rsplit(':', 1)[1]}"}


def _poisoned(body: Any, kind: str) -> Any:
    """``body`` as raw JSON with its first string (``nul``) or first number (``nan``, ``inf``) made
    hostile, or (``deep``) with its first member nested 5,000 arrays deep."""
    if kind == "deep":
        deep = "[" * 5000 + "]" * 5000
        if isinstance(body, dict) and body:
            first, *rest = body
            members = [f"{json.dumps(first)}: {deep}"] + [f"{json.dumps(k)}: {json.dumps(body[k])}" for k in rest]
            return ("{" + ", ".join(members) + "}").encode()
        return deep.encode()
    hostile: Any = {"nul": "Zeitz\x00", "nan": float("nan"), "inf": float("inf")}[kind]
    wanted = str if kind == "nul" else (int, float)
    done = False

    def walk(value: Any) -> Any:
        nonlocal done
        if done:
            return value
        if isinstance(value, dict):
            return {key: walk(item) for key, item in value.items()}
        if isinstance(value, list):
            return [walk(item) for item in value]
        if isinstance(value, wanted) and not isinstance(value, bool):
            done = True
            return hostile
        return value

    poisoned = walk(body)
    if not done:  # nothing of that type: the first member (or the whole body) gets the value
        poisoned = {**body, next(iter(body)): hostile} if isinstance(body, dict) and body else hostile
    # Raw JSON: requests would refuse to encode NaN and Infinity.
    return json.dumps(poisoned, allow_nan=True).encode()


# Deep nesting would make a plain JSON decoder raise RecursionError; the API's parser
# (kommunal.api.parsers) refuses it with 400 like the other hostile values.
HOSTILE_KINDS = ["nul", "nan", "inf", "deep"]


def flatmap_body(context, body):  # type: ignore[no-untyped-def]
    return st.sampled_from(HOSTILE_KINDS).map(lambda kind: _poisoned(body, kind))


for _schema in (PUBLIC_HOSTILE, TENANT_HOSTILE):
    _schema.hooks.register_hook_with_name(flatmap_body, "flatmap_body")


def _spare_shared_communes(case) -> None:  # type: ignore[no-untyped-def]
    slug = (case.path_parameters or {}).get("slug")
    if slug in SHARED_COMMUNES and case.operation.path.startswith("/api/v1/operator/tenants/"):
        case.path_parameters["slug"] = NOWHERE


def _assert_survived(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code < 500, (response.status_code, response.text[:500])
    if response.status_code >= 400:
        content_type = (response.headers.get("content-type") or [""])[0]
        assert content_type.startswith(PROBLEM_CONTENT_TYPE), (response.status_code, content_type, response.text[:500])


@pytest.fixture
def operator_key(communes, live_server) -> str:
    """An operator token (role ``operator``); the flush after each live-server test removes it."""
    user, _device = make_operator("fuzz-operator@provider.example", Role.OPERATOR, device=False)
    _token, key = operator_actions.create_token(user, name="schemathesis", actor="test")
    return key


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


def _platform_headers(live_server, operator_key: str) -> dict[str, str]:
    return {**_host(live_server, "localhost"), "Authorization": f"Bearer {operator_key}"}


def _tenant_headers(live_server, communes, case, zeitz_key: tuple[str, int]) -> dict[str, str]:  # type: ignore[no-untyped-def]
    secret, key_id = zeitz_key
    # Revoking the run's own key would turn every later call into a 401 and test nothing more.
    if case.path.endswith("/revoke/") and case.path_parameters and case.path_parameters.get("id") == key_id:
        case.path_parameters["id"] = key_id + 1_000_000
    return {**_host(live_server, communes.zeitz.primary_host), "Authorization": f"Bearer {secret}"}


@PUBLIC.parametrize()
@HYPOTHESIS
@override_settings(KOMMUNAL_API_RATES=RATES)
def test_platform_api_conforms_to_its_document(case, communes, live_server, shipped_catalogue, operator_key) -> None:
    _spare_shared_communes(case)
    case.call_and_validate(
        base_url=live_server.url,
        headers=_platform_headers(live_server, operator_key),
        excluded_checks=_excluded_checks(case),
    )


@TENANT.parametrize()
@HYPOTHESIS
@override_settings(KOMMUNAL_API_RATES=RATES)
def test_commune_api_conforms_to_its_document(case, communes, live_server, zeitz_key) -> None:
    headers = _tenant_headers(live_server, communes, case, zeitz_key)
    case.call_and_validate(base_url=live_server.url, headers=headers, excluded_checks=_excluded_checks(case))


@PUBLIC_HOSTILE.parametrize()
@HOSTILE_HYPOTHESIS
@override_settings(KOMMUNAL_API_RATES=RATES)
def test_platform_api_refuses_hostile_values_cleanly(case, communes, live_server, operator_key) -> None:
    _spare_shared_communes(case)
    _assert_survived(case.call(base_url=live_server.url, headers=_platform_headers(live_server, operator_key)))


@TENANT_HOSTILE.parametrize()
@HOSTILE_HYPOTHESIS
@override_settings(KOMMUNAL_API_RATES=RATES)
def test_commune_api_refuses_hostile_values_cleanly(case, communes, live_server, zeitz_key) -> None:
    headers = _tenant_headers(live_server, communes, case, zeitz_key)
    _assert_survived(case.call(base_url=live_server.url, headers=headers))


@pytest.mark.django_db
def test_deep_nesting_is_refused(communes, zeitz_client) -> None:
    body = _poisoned({"service": "sperrmuell", "email": "erika@example.org", "data": {}}, "deep")
    response = zeitz_client.post("/api/v1/requests/", body, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
