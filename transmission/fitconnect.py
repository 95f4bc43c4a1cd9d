"""The FIT-Connect sender client: OAuth2 token, destinations and their keys, submissions, events.

It speaks the Submission API (``/v1/submissions``, ``/v1/submissions/{id}/attachments/{id}``,
``/v1/destinations/{id}``, ``/v1/destinations/{id}/keys/{kid}``, ``/v1/cases/{caseId}/events``;
see docs/transmission.md for what was checked against FITKO's documentation). All cryptography is
done by jwcrypto (JWE RSA-OAEP-256 + A256GCM, JWS PS512) and ``cryptography`` (x5c certificates);
nothing here implements a cipher or a signature itself.
"""

from __future__ import annotations

import base64
import itertools
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from django.conf import settings
from jwcrypto import jwe, jwk, jws
from jwcrypto.common import JWException

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 15
ENCRYPTION_ALG = "RSA-OAEP-256"
CONTENT_ENC = "A256GCM"
SIGNATURE_ALGS = ["PS512"]
METADATA_SCHEMA = "https://schema.fitko.de/fit-connect/metadata/1.2.0/metadata.schema.json"
EVENTS = "https://schema.fitko.de/fit-connect/events/"
SUBMIT_EVENT = EVENTS + "submit-submission"
# FITKO's limits per submission: at most 100 attachments, each at most 500 MB encrypted, 2 GB together.
MAX_ATTACHMENTS = 100
MAX_ENCRYPTED_ATTACHMENT_BYTES = 500 * 1000 * 1000
MAX_ENCRYPTED_SUBMISSION_BYTES = 2 * 1000 * 1000 * 1000
# A compact JWE around n plain bytes: base64url of the ciphertext plus header, key, iv and tag.
JWE_OVERHEAD_BYTES = 2048
ACCEPT_EVENT = EVENTS + "accept-submission"
REJECT_EVENT = EVENTS + "reject-submission"


class FitConnectError(Exception):
    """A step failed; the message is the reason shown to staff and operators."""


class KeyRejected(FitConnectError):
    """The destination's published encryption key is not acceptable."""


def _b64decode(value: str) -> bytes:
    return base64.b64decode(value + "=" * (-len(value) % 4))


def _b64url_json(segment: str) -> dict[str, Any]:
    value = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    return value if isinstance(value, dict) else {}


def _trusted_roots() -> list[x509.Certificate]:
    if not settings.FITCONNECT_TRUSTED_ROOTS:
        return []
    with open(settings.FITCONNECT_TRUSTED_ROOTS, "rb") as pem:
        return x509.load_pem_x509_certificates(pem.read())


def _check_chain(key: jwk.JWK, x5c: list[str], now: datetime) -> None:
    try:
        chain = [x509.load_der_x509_certificate(_b64decode(item)) for item in x5c]
    except ValueError as error:
        raise KeyRejected(f"The key's certificate cannot be read: {error}.") from error
    for certificate in chain:
        if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
            raise KeyRejected(
                f"The key's certificate {certificate.subject.rfc4514_string()} is not valid now "
                f"(valid {certificate.not_valid_before_utc:%Y-%m-%d} to {certificate.not_valid_after_utc:%Y-%m-%d})."
            )
    leaf_key = chain[0].public_key()
    if (
        not isinstance(leaf_key, RSAPublicKey)
        or leaf_key.public_numbers() != key.get_op_key("wrapKey").public_numbers()
    ):
        raise KeyRejected("The key does not match its certificate.")
    for certificate, issuer in itertools.pairwise(chain):
        try:
            certificate.verify_directly_issued_by(issuer)
        except (ValueError, TypeError) as error:
            raise KeyRejected("The key's certificate chain is broken.") from error
    roots = _trusted_roots()
    if roots and not any(_issued_by_or_is(chain[-1], root) for root in roots):
        raise KeyRejected("The key's certificate chain does not end in a trusted root.")


def _issued_by_or_is(certificate: x509.Certificate, root: x509.Certificate) -> bool:
    if certificate == root:
        return True
    try:
        certificate.verify_directly_issued_by(root)
    except (ValueError, TypeError):
        return False
    return True


def validate_encryption_key(data: dict[str, Any], now: datetime | None = None) -> jwk.JWK:
    """The destination's public key if it may be used to encrypt to it; else KeyRejected with why."""
    if data.get("kty") != "RSA":
        raise KeyRejected(f"The destination key has type {data.get('kty')!r}, RSA is required.")
    if data.get("use") != "enc":
        raise KeyRejected(f"The destination key is published for use {data.get('use')!r}, not for encryption (enc).")
    if data.get("alg") != ENCRYPTION_ALG:
        raise KeyRejected(f"The destination key is published for algorithm {data.get('alg')!r}, not {ENCRYPTION_ALG}.")
    if "wrapKey" not in data.get("key_ops", ["wrapKey"]):
        raise KeyRejected("The destination key does not allow wrapping keys (key_ops).")
    try:
        key = jwk.JWK(**data)
    except (JWException, ValueError, TypeError) as error:
        raise KeyRejected(f"The destination key cannot be read: {error}.") from error
    if key.has_private:
        raise KeyRejected("The destination published a private key; it must be replaced.")
    if key.get_op_key("wrapKey").key_size < 4096:
        raise KeyRejected("The destination key is shorter than 4096 bits.")
    if data.get("x5c"):
        _check_chain(key, data["x5c"], now or datetime.now(UTC))
    return key


def encrypted_size(plain_bytes: int) -> int:
    """An upper bound of the compact JWE's length for ``plain_bytes`` of plaintext."""
    return -(-plain_bytes // 3) * 4 + JWE_OVERHEAD_BYTES


def encrypt(key: jwk.JWK, payload: bytes, content_type: str) -> str:
    """``payload`` as a compact JWE to ``key`` (RSA-OAEP-256 + A256GCM)."""
    header = {"alg": ENCRYPTION_ALG, "enc": CONTENT_ENC, "kid": key.get("kid"), "cty": content_type}
    token = jwe.JWE(payload, protected=json.dumps(header))
    token.add_recipient(key)
    return str(token.serialize(compact=True))


@dataclass
class Client:
    """One sender client (the platform's credentials) against one Submission API."""

    token_url: str
    api_url: str
    client_id: str
    client_secret: str
    _token: str = field(default="", repr=False)

    @classmethod
    def from_settings(cls) -> Client:
        if not (settings.FITCONNECT_CLIENT_ID and settings.FITCONNECT_API_URL and settings.FITCONNECT_TOKEN_URL):
            raise FitConnectError("FIT-Connect is not configured in this environment (FITCONNECT_CLIENT_ID).")
        urls = (settings.FITCONNECT_TOKEN_URL, settings.FITCONNECT_API_URL)
        if any(urllib.parse.urlsplit(url).scheme not in ("https", "http") for url in urls):
            raise FitConnectError("FITCONNECT_TOKEN_URL and FITCONNECT_API_URL must be http(s) addresses.")
        return cls(
            settings.FITCONNECT_TOKEN_URL,
            settings.FITCONNECT_API_URL,
            settings.FITCONNECT_CLIENT_ID,
            settings.FITCONNECT_CLIENT_SECRET,
        )

    def _open(self, request: urllib.request.Request) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 (configured URL)
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()
        except (OSError, ValueError) as error:
            raise FitConnectError(f"FIT-Connect is not reachable: {error}.") from error

    def token(self) -> str:
        if not self._token:
            body = urllib.parse.urlencode(
                {"grant_type": "client_credentials", "client_id": self.client_id, "client_secret": self.client_secret}
            ).encode()
            request = urllib.request.Request(self.token_url, data=body, method="POST")  # noqa: S310 (checked scheme)
            request.add_header("Content-Type", "application/x-www-form-urlencoded")
            status, answer = self._open(request)
            if status != 200:
                raise FitConnectError(f"The FIT-Connect token endpoint refused the client credentials (HTTP {status}).")
            self._token = json.loads(answer)["access_token"]
        return self._token

    def call(self, method: str, path: str, *, payload: Any = None, body: bytes | None = None) -> tuple[int, Any]:
        """One API call; 5xx and network errors raise (retry later), other answers are returned."""
        content_type = "application/jose" if body is not None else "application/json"
        data = body if body is not None else (json.dumps(payload).encode() if payload is not None else None)
        request = urllib.request.Request(self.api_url + path, data=data, method=method)  # noqa: S310 (checked scheme)
        request.add_header("Authorization", f"Bearer {self.token()}")
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", content_type)
        status, answer = self._open(request)
        if status >= 500 or status == 429:
            raise FitConnectError(f"FIT-Connect answered {method} {path} with HTTP {status}.")
        try:
            return status, json.loads(answer) if answer else None
        except ValueError as error:
            raise FitConnectError(f"FIT-Connect answered {method} {path} with something other than JSON.") from error

    def expect(self, expected: int, method: str, path: str, **kwargs: Any) -> Any:
        status, answer = self.call(method, path, **kwargs)
        if status != expected:
            detail = answer.get("detail") or answer.get("title") if isinstance(answer, dict) else ""
            raise FitConnectError(
                f"FIT-Connect refused {method} {path} (HTTP {status}){': ' + detail if detail else ''}."
            )
        return answer

    def destination_key(self, destination_id: str) -> jwk.JWK:
        """The destination's current encryption key, validated (KeyRejected says why not)."""
        destination = self.expect(200, "GET", f"/v1/destinations/{quote(destination_id)}")
        kid = destination.get("encryptionKid", "")
        key_data = self.expect(200, "GET", f"/v1/destinations/{quote(destination_id)}/keys/{quote(kid)}")
        return validate_encryption_key(key_data)

    def verify_events(self, case_id: str, submission_id: str, destination_id: str) -> list[dict[str, Any]]:
        """The case's events whose signature checks out against the issuer's published key.

        The receiver (``iss`` = the destination id) signs with a key published under the
        destination; the Submission API signs with its JWKS. Anything else is ignored and logged.
        """
        answer = self.expect(200, "GET", f"/v1/cases/{quote(case_id)}/events")
        verified = []
        for token in answer.get("eventLog", []):
            claims = verify_set(token, lambda iss, kid: self._issuer_key(iss, kid, destination_id))
            if claims is None:
                continue
            if claims.get("sub") != f"submission:{submission_id}" or claims.get("txn") != f"case:{case_id}":
                logger.warning("fitconnect.event_ignored", extra={"case": case_id, "reason": "wrong subject"})
                continue
            verified.append(claims)
        return verified

    def was_submitted(self, case_id: str, submission_id: str, destination_id: str) -> bool:
        """Whether the case's signed event log records that this submission was submitted."""
        return any(
            SUBMIT_EVENT in claims.get("events", {})
            for claims in self.verify_events(case_id, submission_id, destination_id)
        )

    def _issuer_key(self, issuer: str, kid: str, destination_id: str) -> dict[str, Any] | None:
        if issuer == destination_id:
            status, key = self.call("GET", f"/v1/destinations/{quote(issuer)}/keys/{quote(kid)}")
            return key if status == 200 else None
        if issuer == self.api_url:
            status, keys = self.call("GET", "/.well-known/jwks.json")
            matches = [key for key in (keys or {}).get("keys", []) if key.get("kid") == kid] if status == 200 else []
            return matches[0] if matches else None
        return None


def verify_set(token: str, key_for: Callable[[str, str], dict[str, Any] | None]) -> dict[str, Any] | None:
    """The claims of a Security Event Token signed by its issuer's published key, else None (logged)."""
    try:
        header_segment, payload_segment, _signature = token.split(".")
        header, claims = _b64url_json(header_segment), _b64url_json(payload_segment)
    except ValueError:
        logger.warning("fitconnect.event_ignored", extra={"reason": "malformed"})
        return None
    issuer, kid = str(claims.get("iss", "")), str(header.get("kid", ""))
    if header.get("alg") not in SIGNATURE_ALGS or header.get("typ") != "secevent+jwt":
        logger.warning("fitconnect.event_ignored", extra={"reason": "unsigned or wrong alg", "issuer": issuer})
        return None
    key_data = key_for(issuer, kid)
    if key_data is None or key_data.get("use") != "sig":
        logger.warning("fitconnect.event_ignored", extra={"reason": "no published key", "issuer": issuer})
        return None
    try:
        verifier = jws.JWS()
        verifier.deserialize(token)
        verifier.verify(jwk.JWK(**key_data), alg=header["alg"])
    except (JWException, ValueError, TypeError):
        logger.warning("fitconnect.event_ignored", extra={"reason": "bad signature", "issuer": issuer})
        return None
    return claims


def quote(value: str) -> str:
    """``value`` as one path segment."""
    return urllib.parse.quote(value, safe="")
