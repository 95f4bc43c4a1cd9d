"""The OpenID Connect client of the citizen login: authorisation code flow with PKCE.

Authlib's OAuth2 client builds the authorisation URL (``state``, ``nonce``, S256 code challenge)
and redeems the code with the verifier; joserfc (Authlib's JOSE successor) verifies the ID token's
signature against the provider's JWKS and its claims (issuer, audience, expiry, nonce). Each
commune may use its own provider (``LoginSettings``); otherwise the platform's applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from django.conf import settings
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    InvalidKeyIdError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet

from citizens.models import LoginSettings

SCOPE = "openid profile email address"
TIMEOUT_SECONDS = 10
LEEWAY_SECONDS = 60


class LoginRefused(Exception):
    """A login that must not succeed; ``reason`` is a short code for the audit log and the page."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class ProviderConfig:
    issuer: str
    client_id: str
    client_secret: str
    source: str  # "commune" or "platform"


def current_config() -> ProviderConfig | None:
    """The provider of the current commune: its own when set, else the platform's, else None."""
    own = LoginSettings.objects.exclude(issuer="").first()
    if own is not None:
        return ProviderConfig(own.issuer.rstrip("/"), own.client_id, own.client_secret, "commune")
    if settings.KOMMUNAL_OIDC_ISSUER:
        return ProviderConfig(
            settings.KOMMUNAL_OIDC_ISSUER.rstrip("/"),
            settings.KOMMUNAL_OIDC_CLIENT_ID,
            settings.KOMMUNAL_OIDC_CLIENT_SECRET,
            "platform",
        )
    return None


def _get_json(url: str) -> dict[str, Any]:
    try:
        response = requests.get(url, timeout=TIMEOUT_SECONDS)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise LoginRefused("provider_unreachable", f"{url}: {exc}") from exc
    if not isinstance(document, dict):
        raise LoginRefused("provider_unreachable", f"{url}: not a JSON object")
    return document


def discover(config: ProviderConfig) -> dict[str, Any]:
    """The provider's discovery document; its ``issuer`` must be the configured one."""
    document = _get_json(f"{config.issuer}/.well-known/openid-configuration")
    if str(document.get("issuer", "")).rstrip("/") != config.issuer:
        raise LoginRefused("wrong_issuer", f"discovery names {document.get('issuer')!r}")
    return document


def _client(config: ProviderConfig, redirect_uri: str) -> OAuth2Session:
    return OAuth2Session(
        config.client_id,
        config.client_secret,
        scope=SCOPE,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
    )


@dataclass(frozen=True)
class PendingLogin:
    """What the browser's session keeps between the redirect to the provider and its return."""

    state: str
    nonce: str
    code_verifier: str
    redirect_uri: str
    issuer: str
    next_url: str

    def as_dict(self) -> dict[str, str]:
        return self.__dict__.copy()


def begin(config: ProviderConfig, *, redirect_uri: str, next_url: str) -> tuple[str, PendingLogin]:
    """The provider's authorisation URL and what to remember until the citizen comes back."""
    endpoint = discover(config)["authorization_endpoint"]
    nonce, verifier = generate_token(32), generate_token(64)
    url, state = _client(config, redirect_uri).create_authorization_url(endpoint, code_verifier=verifier, nonce=nonce)
    pending = PendingLogin(state, nonce, verifier, redirect_uri, config.issuer, next_url)
    return url, pending


def complete(config: ProviderConfig, pending: PendingLogin, *, code: str) -> dict[str, Any]:
    """Redeem ``code`` with the PKCE verifier and return the verified ID token's claims."""
    if pending.issuer != config.issuer:
        raise LoginRefused("provider_changed", f"{pending.issuer} -> {config.issuer}")
    if not pending.code_verifier:
        raise LoginRefused("pkce_verifier_missing")
    discovery = discover(config)
    try:
        token = _client(config, pending.redirect_uri).fetch_token(
            discovery["token_endpoint"], code=code, code_verifier=pending.code_verifier
        )
    except OAuthError as exc:
        raise LoginRefused("code_refused", f"{exc.error}: {exc.description}") from exc
    except (requests.RequestException, ValueError, KeyError) as exc:
        raise LoginRefused("code_refused", str(exc)) from exc
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise LoginRefused("id_token_missing")
    return verify_id_token(config, id_token, nonce=pending.nonce, jwks=_get_json(discovery["jwks_uri"]))


def verify_id_token(config: ProviderConfig, id_token: str, *, nonce: str, jwks: dict[str, Any]) -> dict[str, Any]:
    """Signature (RS256/ES256, key from ``jwks``), issuer, audience, expiry and nonce of an ID token."""
    try:
        keys = KeySet.import_key_set(jwks)  # type: ignore[arg-type]
        token = jwt.decode(id_token, keys, algorithms=["RS256", "PS256", "ES256"])
    except BadSignatureError as exc:
        raise LoginRefused("bad_signature") from exc
    except InvalidKeyIdError as exc:  # signed by a key this provider does not publish
        raise LoginRefused("unknown_key", str(exc)) from exc
    except (JoseError, ValueError, KeyError, TypeError) as exc:
        raise LoginRefused("malformed_token", str(exc)) from exc
    registry = jwt.JWTClaimsRegistry(
        leeway=LEEWAY_SECONDS,
        iss={"essential": True, "value": config.issuer},
        aud={"essential": True, "value": config.client_id},
        sub={"essential": True},
        exp={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(token.claims)
    except ExpiredTokenError as exc:
        raise LoginRefused("expired_token") from exc
    except (InvalidClaimError, MissingClaimError) as exc:
        claim = getattr(exc, "claim", "")
        reason = {"iss": "wrong_issuer", "aud": "wrong_audience", "nonce": "wrong_nonce"}.get(claim, "invalid_claims")
        raise LoginRefused(reason, str(exc)) from exc
    except JoseError as exc:
        raise LoginRefused("invalid_claims", str(exc)) from exc
    return dict(token.claims)
