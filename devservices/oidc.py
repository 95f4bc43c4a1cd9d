"""A small OpenID Connect provider on loopback: the stand-in for the state's BundID broker.

It speaks the parts of the protocol Kommunal's citizen login uses: discovery document, JWKS,
authorisation endpoint (a page listing demo citizens at each trust level), token endpoint with
client authentication and a PKCE (S256) check; codes are single-use. ID tokens are RS256-signed
with joserfc (no hand-written crypto).

Tests set ``provider.fault`` to make the next tokens wrong in one way (wrong nonce, expired, bad
signature, wrong issuer, wrong audience, tampered payload), so that every check of the client is
exercised against real tokens.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from devservices.registry import RunningService, register

CLIENT_ID = "kommunal"
CLIENT_SECRET = "kommunal-dev-secret"  # noqa: S105 - a local stand-in's demo credential
PORT_OFFSET = 1

LOA = "http://eidas.europa.eu/LoA/"

# Demo citizens, one per trust level (eIDAS level of assurance in the ``acr`` claim).
DEMO_CITIZENS: dict[str, dict[str, Any]] = {
    "erika": {
        "sub": "demo-erika-mustermann",
        "given_name": "Erika",
        "family_name": "Mustermann",
        "email": "erika.mustermann@example.org",
        "birthdate": "1964-08-12",
        "address": {"street_address": "Heidestraße 17", "postal_code": "06712", "locality": "Zeitz"},
        "acr": LOA + "high",
    },
    "max": {
        "sub": "demo-max-muster",
        "given_name": "Max",
        "family_name": "Muster",
        "email": "max.muster@example.org",
        "birthdate": "1990-02-01",
        "address": {"street_address": "Markt 1", "postal_code": "04552", "locality": "Borna"},
        "acr": LOA + "substantial",
    },
    "lena": {
        "sub": "demo-lena-beispiel",
        "given_name": "Lena",
        "family_name": "Beispiel",
        "email": "lena.beispiel@example.org",
        "acr": LOA + "low",
    },
}


@dataclass
class PendingCode:
    client_id: str
    redirect_uri: str
    nonce: str
    code_challenge: str
    citizen: str
    used: bool = False


@dataclass
class Provider:
    """State of one provider: its keys, clients, issued codes and the fault tests ask for."""

    issuer: str = ""
    clients: dict[str, str] = field(default_factory=lambda: {CLIENT_ID: CLIENT_SECRET})
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": secrets.token_hex(8)}))
    codes: dict[str, PendingCode] = field(default_factory=dict)
    fault: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "acr_values_supported": [LOA + "low", LOA + "substantial", LOA + "high"],
            "claims_supported": ["sub", "given_name", "family_name", "email", "birthdate", "address", "acr"],
        }

    def jwks(self) -> dict[str, Any]:
        return dict(KeySet([self.key]).as_dict(private=False))

    def id_token(self, *, client_id: str, nonce: str, citizen: str) -> str:
        """A signed ID token for ``citizen``, made wrong in the way ``fault`` asks for."""
        now = int(time.time())
        claims = {
            **DEMO_CITIZENS[citizen],
            "iss": self.issuer,
            "aud": client_id,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "auth_time": now,
        }
        key = self.key
        if self.fault == "wrong_nonce":
            claims["nonce"] = secrets.token_urlsafe(16)
        elif self.fault == "expired":
            claims["iat"], claims["exp"] = now - 900, now - 600
        elif self.fault == "wrong_issuer":
            claims["iss"] = "https://login.other-broker.example"
        elif self.fault == "wrong_audience":
            claims["aud"] = "some-other-client"
        elif self.fault == "bad_signature":
            key = RSAKey.generate_key(2048, parameters={"kid": self.key.kid or ""})
        token = jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)
        if self.fault == "tampered":
            header, _payload, signature = token.split(".")
            forged = {**claims, "acr": LOA + "high", "sub": "someone-else"}
            payload = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
            token = f"{header}.{payload}.{signature}"
        return token

    def issue_code(self, params: dict[str, str], citizen: str) -> str:
        code = secrets.token_urlsafe(24)
        with self.lock:
            self.codes[code] = PendingCode(
                client_id=params["client_id"],
                redirect_uri=params["redirect_uri"],
                nonce=params.get("nonce", ""),
                code_challenge=params["code_challenge"],
                citizen=citizen,
            )
        return code

    def redeem(self, form: dict[str, str], basic_auth: tuple[str, str] | None) -> tuple[int, dict[str, Any]]:
        """The token endpoint: (status, JSON body)."""
        client_id, secret = basic_auth or (form.get("client_id", ""), form.get("client_secret", ""))
        if not client_id or self.clients.get(client_id) != secret:
            return 401, {"error": "invalid_client"}
        if form.get("grant_type") != "authorization_code":
            return 400, {"error": "unsupported_grant_type"}
        with self.lock:
            pending = self.codes.get(form.get("code", ""))
            if pending is None or pending.used or pending.client_id != client_id:
                return 400, {"error": "invalid_grant", "error_description": "unknown or used code"}
            pending.used = True  # a code is spent by its first use, whatever follows
        if pending.redirect_uri != form.get("redirect_uri"):
            return 400, {"error": "invalid_grant", "error_description": "redirect_uri differs"}
        verifier = form.get("code_verifier", "")
        if not verifier:
            return 400, {"error": "invalid_request", "error_description": "code_verifier missing"}
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if not secrets.compare_digest(challenge, pending.code_challenge):
            return 400, {"error": "invalid_grant", "error_description": "PKCE verification failed"}
        token = self.id_token(client_id=client_id, nonce=pending.nonce, citizen=pending.citizen)
        return 200, {
            "access_token": secrets.token_urlsafe(24),
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": token,
        }


LOGIN_PAGE = """<!doctype html>
<html lang="de"><head><meta charset="utf-8"><title>Demo-Anmeldung (BundID-Stand-in)</title></head>
<body><h1>Demo-Anmeldung</h1>
<p>Lokaler Stand-in für das Bürgerkonto. Wählen Sie eine Demo-Person:</p>
<form method="post" action="/authorize">{hidden}{buttons}</form></body></html>"""


def _handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet in tests
            pass

        def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, data: dict[str, Any]) -> None:
            self._send(status, json.dumps(data).encode(), "application/json")

        def _form(self) -> dict[str, str]:
            length = int(self.headers.get("Content-Length") or 0)
            return {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path == "/.well-known/openid-configuration":
                self._json(200, provider.discovery())
            elif url.path == "/jwks":
                self._json(200, provider.jwks())
            elif url.path == "/authorize":
                self._login_page({k: v[0] for k, v in parse_qs(url.query).items()})
            else:
                self._json(404, {"error": "not_found"})

        def _authorize_error(self, params: dict[str, str]) -> str | None:
            if params.get("response_type") != "code":
                return "unsupported_response_type"
            if params.get("client_id") not in provider.clients or not params.get("redirect_uri"):
                return "unauthorized_client"
            if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
                return "PKCE (S256) is required"
            return None

        def _login_page(self, params: dict[str, str]) -> None:
            error = self._authorize_error(params)
            if error:
                self._send(400, f"<p>{html.escape(error)}</p>".encode(), "text/html; charset=utf-8")
                return
            hidden = "".join(
                f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in params.items()
            )
            buttons = "".join(
                f'<p><button type="submit" name="citizen" value="{key}">{html.escape(c["given_name"])} '
                f"{html.escape(c['family_name'])} ({c['acr'].rsplit('/', 1)[-1]})</button></p>"
                for key, c in DEMO_CITIZENS.items()
            )
            page = LOGIN_PAGE.format(hidden=hidden, buttons=buttons)
            self._send(200, page.encode(), "text/html; charset=utf-8")

        def do_POST(self) -> None:
            url = urlsplit(self.path)
            form = self._form()
            if url.path == "/authorize":
                if self._authorize_error(form) or form.get("citizen") not in DEMO_CITIZENS:
                    self._send(400, b"<p>invalid request</p>", "text/html; charset=utf-8")
                    return
                code = provider.issue_code(form, form["citizen"])
                query = urlencode({"code": code, "state": form.get("state", "")})
                separator = "&" if "?" in form["redirect_uri"] else "?"
                self._send(302, b"", "text/plain", {"Location": f"{form['redirect_uri']}{separator}{query}"})
            elif url.path == "/token":
                status, body = provider.redeem(form, self._basic_auth())
                self._json(status, body)
            else:
                self._json(404, {"error": "not_found"})

        def _basic_auth(self) -> tuple[str, str] | None:
            header = self.headers.get("Authorization", "")
            if not header.startswith("Basic "):
                return None
            client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
            return unquote(client_id), unquote(secret)

    return Handler


@dataclass
class RunningProvider:
    provider: Provider
    server: ThreadingHTTPServer

    @property
    def issuer(self) -> str:
        return self.provider.issuer

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def serve(port: int = 0, host: str = "127.0.0.1") -> RunningProvider:
    """Start a provider on ``host:port`` (0: a free port) in a background thread."""
    provider = Provider()
    server = ThreadingHTTPServer((host, port), _handler(provider))
    provider.issuer = f"http://{host}:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, name="oidc-provider", daemon=True).start()
    return RunningProvider(provider=provider, server=server)


@register("oidc")
def start(base_port: int) -> RunningService:
    """The provider for ``make run``; a configured real issuer keeps it off."""
    if os.environ.get("KOMMUNAL_OIDC_ISSUER"):
        return RunningService(name="oidc", url=os.environ["KOMMUNAL_OIDC_ISSUER"] + " (configured)")
    running = serve(base_port + PORT_OFFSET)
    return RunningService(
        name="oidc",
        url=running.issuer,
        environment={
            "KOMMUNAL_OIDC_ISSUER": running.issuer,
            "KOMMUNAL_OIDC_CLIENT_ID": CLIENT_ID,
            "KOMMUNAL_OIDC_CLIENT_SECRET": CLIENT_SECRET,
        },
        stop=running.stop,
    )
