"""The local OpenID Connect provider that ``make run`` starts (devservices/oidc.py)."""

from __future__ import annotations

import socket

import pytest
import requests

from devservices import oidc
from devservices.__main__ import MODULES
from devservices.registry import STARTERS


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_make_run_starts_the_provider_and_hands_its_settings_to_the_platform(monkeypatch) -> None:
    monkeypatch.delenv("KOMMUNAL_OIDC_ISSUER", raising=False)
    assert "devservices.oidc" in MODULES
    port = _free_port()
    service = STARTERS["oidc"](port - oidc.PORT_OFFSET)
    try:
        assert service.environment == {
            "KOMMUNAL_OIDC_ISSUER": f"http://127.0.0.1:{port}",
            "KOMMUNAL_OIDC_CLIENT_ID": oidc.CLIENT_ID,
            "KOMMUNAL_OIDC_CLIENT_SECRET": oidc.CLIENT_SECRET,
        }
        discovery = requests.get(f"{service.url}/.well-known/openid-configuration", timeout=5).json()
        assert discovery["issuer"] == service.url
        assert discovery["code_challenge_methods_supported"] == ["S256"]
        keys = requests.get(discovery["jwks_uri"], timeout=5).json()["keys"]
        assert [key["kty"] for key in keys] == ["RSA"]
        assert "d" not in keys[0]  # the private part stays private
    finally:
        service.stop()


def test_a_configured_issuer_keeps_the_stand_in_off(monkeypatch) -> None:
    monkeypatch.setenv("KOMMUNAL_OIDC_ISSUER", "https://id.land.example/realms/buerger")
    service = STARTERS["oidc"](_free_port())
    assert service.environment == {}


@pytest.mark.parametrize(
    "params",
    [
        {"response_type": "token"},
        {"client_id": "unknown"},
        {"code_challenge_method": "plain"},
        {"code_challenge": ""},
    ],
)
def test_authorize_refuses_requests_without_code_flow_known_client_or_s256(provider, params) -> None:
    query = {
        "response_type": "code",
        "client_id": oidc.CLIENT_ID,
        "redirect_uri": "http://zeitz.localhost/buerger/anmelden/rueckkehr/",
        "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        "code_challenge_method": "S256",
        "state": "s",
        **params,
    }
    assert requests.get(f"{provider.issuer}/authorize", params=query, timeout=5).status_code == 400


def test_token_endpoint_refuses_unknown_clients(provider) -> None:
    answer = requests.post(
        f"{provider.issuer}/token",
        data={"grant_type": "authorization_code", "code": "x", "client_id": oidc.CLIENT_ID, "client_secret": "wrong"},
        timeout=5,
    )
    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"
