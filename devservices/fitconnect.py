"""A FIT-Connect-shaped server on loopback: Submission API, token endpoint and a receiving office.

The sender side (what Kommunal talks to) follows the Submission API: ``POST /token`` (OAuth2
client credentials), ``GET /v1/destinations/{id}`` and ``.../keys/{kid}``, ``POST /v1/submissions``,
``PUT /v1/submissions/{id}/attachments/{attachmentId}`` (``application/jose``), ``PUT
/v1/submissions/{id}`` (only once every announced attachment arrived) and ``GET
/v1/cases/{caseId}/events`` (Security Event Tokens signed with PS512). The receiving side is a
stand-in specialist procedure: when a submission is submitted it decrypts metadata, data and every
attachment with the destination's private key, checks that the attachments are exactly those the
metadata describe, each against its SHA-512 hash, and the data against the schema the destination
knows, then posts a signed ``accept-submission`` or ``reject-submission`` event with the reasons.
Development and tests only.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import jsonschema
from jwcrypto import jwe, jwk, jws
from jwcrypto.common import JWException

from devservices.registry import RunningService, register

PORT_OFFSET = 30
MAX_ATTACHMENTS = 100
EVENTS = "https://schema.fitko.de/fit-connect/events/"
DEMO_SERVICE = "anwohnerparkausweis"


@lru_cache(maxsize=1)
def _encryption_key_material() -> str:
    # FIT-Connect requires 4096-bit encryption keys; generating one takes a while, so every
    # destination of this process shares the material (under its own kid).
    return jwk.JWK.generate(kty="RSA", size=4096).export_private()


def _key(kid: str, *, size: int = 0, **params: Any) -> jwk.JWK:
    data = (
        json.loads(_encryption_key_material())
        if not size
        else json.loads(jwk.JWK.generate(kty="RSA", size=size).export_private())
    )
    return jwk.JWK(**{**data, "kid": kid, **params})


@dataclass
class Destination:
    """A receiving office: its keys, the schemas its procedure understands, what it answers."""

    id: str
    schemas: dict[str, dict[str, Any]]
    encryption_key: jwk.JWK
    signing_key: jwk.JWK
    published_encryption_key: dict[str, Any] = field(default_factory=dict)
    answers: bool = True  # False: the office stays silent (tests post events themselves)

    def public_keys(self) -> dict[str, dict[str, Any]]:
        signing = json.loads(self.signing_key.export_public())
        return {
            str(self.encryption_key.get("kid")): self.published_encryption_key,
            str(self.signing_key.get("kid")): {**signing, "use": "sig", "alg": "PS512"},
        }


class FitConnectStandIn:
    """State and behaviour of the stand-in; ``serve()`` puts it on a loopback port."""

    def __init__(self, client_id: str = "kommunal-dev", client_secret: str = "") -> None:
        self.client_id = client_id
        self.client_secret = client_secret or secrets.token_urlsafe(24)
        self.url = ""
        self.tokens: set[str] = set()
        self.destinations: dict[str, Destination] = {}
        self.submissions: dict[str, dict[str, Any]] = {}
        self.event_log: dict[str, list[str]] = {}
        self.received: list[dict[str, Any]] = []  # what the office decrypted, for tests and the curious
        self.failures_to_inject = 0
        # What befalls a submission between the Submission API and the office (tests lose or swap files).
        self.in_transit: Callable[[dict[str, Any]], None] | None = None
        self.api_signing_key = _key(f"submission-api-{uuid.uuid4().hex[:8]}", size=2048)
        self.lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # --- setup ---------------------------------------------------------------------------------
    def add_destination(self, schemas: dict[str, dict[str, Any]], **key_overrides: Any) -> Destination:
        """A new destination; ``key_overrides`` change the published encryption key (tests)."""
        destination_id = str(uuid.uuid4())
        encryption = _key(f"enc-{destination_id[:8]}")
        published = {
            **json.loads(encryption.export_public()),
            "use": "enc",
            "alg": "RSA-OAEP-256",
            "key_ops": ["wrapKey"],
        }
        destination = Destination(
            destination_id,
            schemas,
            encryption,
            _key(f"sig-{destination_id[:8]}", size=2048),
            {**published, **key_overrides},
        )
        self.destinations[destination_id] = destination
        return destination

    def serve(self, port: int = 0) -> FitConnectStandIn:
        stand_in = self

        class Handler(_Handler):
            state = stand_in

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def environment(self) -> dict[str, str]:
        return {
            "FITCONNECT_TOKEN_URL": f"{self.url}/token",
            "FITCONNECT_API_URL": self.url,
            "FITCONNECT_CLIENT_ID": self.client_id,
            "FITCONNECT_CLIENT_SECRET": self.client_secret,
        }

    # --- events --------------------------------------------------------------------------------
    def sign_event(
        self, key: jwk.JWK, issuer: str, submission: dict[str, Any], event: str, payload: dict[str, Any]
    ) -> str:
        claims = {
            "$schema": "https://schema.fitko.de/fit-connect/set-payload/1.0.0/set-payload.schema.json",
            "jti": str(uuid.uuid4()),
            "iss": issuer,
            "iat": int(time.time()),
            "sub": f"submission:{submission['submissionId']}",
            "txn": f"case:{submission['caseId']}",
            "events": {EVENTS + event: payload},
        }
        token = jws.JWS(json.dumps(claims).encode())
        token.add_signature(key, alg="PS512", protected={"typ": "secevent+jwt", "alg": "PS512", "kid": key.get("kid")})
        return str(token.serialize(compact=True))

    def _log(self, submission: dict[str, Any], token: str) -> None:
        self.event_log.setdefault(submission["caseId"], []).append(token)

    # --- the receiving office ------------------------------------------------------------------
    def receive(self, submission: dict[str, Any]) -> None:
        """Decrypt what was submitted, check it and answer with a signed accept or reject."""
        destination = self.destinations[submission["destinationId"]]
        if self.in_transit is not None:
            submission = {**submission, "attachments": dict(submission["attachments"])}
            self.in_transit(submission)
        problems: list[dict[str, str]] = []
        try:
            metadata = json.loads(_decrypt(submission["encryptedMetadata"], destination.encryption_key))
            data = _decrypt(submission["encryptedData"], destination.encryption_key)
            structure = metadata["contentStructure"]
            schema_uri = structure["data"]["submissionSchema"]["schemaUri"]
            if hashlib.sha512(data).hexdigest() != structure["data"]["hash"]["content"]:
                problems.append(_problem("hash-mismatch", "The data do not match their hash in the metadata."))
            attachments, attachment_problems = _open_attachments(structure, submission["attachments"], destination)
            problems += attachment_problems
            form = json.loads(data)
            schema = destination.schemas.get(schema_uri)
            if schema is None:
                problems.append(_problem("unsupported-schema", f"The procedure does not know the schema {schema_uri}."))
            else:
                problems += [
                    _problem("schema-violation", f"{'/'.join(map(str, e.path)) or 'data'}: {e.message}")
                    for e in jsonschema.Draft202012Validator(schema).iter_errors(form)
                ]
        except (JWException, ValueError, KeyError, TypeError) as error:
            problems.append(_problem("decryption-failed", f"The submission cannot be decrypted or read: {error}."))
            metadata, form, attachments = {}, None, []
        self.received.append(
            {"submission": submission["submissionId"], "metadata": metadata, "data": form, "attachments": attachments}
        )
        if not destination.answers:
            return
        event, payload = ("reject-submission", {"problems": problems}) if problems else ("accept-submission", {})
        self._log(submission, self.sign_event(destination.signing_key, destination.id, submission, event, payload))


def _open_attachments(
    structure: dict[str, Any], arrived: dict[str, str], destination: Destination
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """Decrypt each attachment the metadata describe and check it; what arrived must be exactly that."""
    opened: list[dict[str, Any]] = []
    problems: list[dict[str, str]] = []
    described = structure.get("attachments", [])
    for entry in described:
        name = entry.get("filename") or entry["attachmentId"]
        if entry["attachmentId"] not in arrived:
            problems.append(_problem("missing-attachment", f"Attachment {name} is described but did not arrive."))
            continue
        try:
            content = _decrypt(arrived[entry["attachmentId"]], destination.encryption_key)
        except (JWException, ValueError) as error:
            problems.append(_problem("decryption-failed", f"Attachment {name} cannot be decrypted: {error}."))
            continue
        if entry.get("hash", {}).get("type") != "sha512" or hashlib.sha512(content).hexdigest() != entry["hash"].get(
            "content"
        ):
            problems.append(_problem("hash-mismatch", f"Attachment {name} does not match its hash in the metadata."))
            continue
        opened.append({**entry, "content": content})
    undescribed = set(arrived) - {entry["attachmentId"] for entry in described}
    if undescribed:
        problems.append(
            _problem("attachment-not-described", f"{len(undescribed)} attachment(s) arrived without metadata.")
        )
    return opened, problems


def _problem(kind: str, detail: str) -> dict[str, str]:
    return {"type": f"https://schema.fitko.de/fit-connect/events/problems/{kind}", "title": kind, "detail": detail}


def _is_uuid(value: Any) -> bool:
    try:
        return isinstance(value, str) and str(uuid.UUID(value)) == value
    except ValueError:
        return False


def _decrypt(token: str, key: jwk.JWK) -> bytes:
    message = jwe.JWE()
    message.deserialize(token, key=key)
    if message.jose_header.get("alg") != "RSA-OAEP-256" or message.jose_header.get("enc") != "A256GCM":
        raise ValueError("not RSA-OAEP-256 / A256GCM")
    return bytes(message.payload)


class _Handler(BaseHTTPRequestHandler):
    state: FitConnectStandIn

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _send(self, status: int, payload: Any = None) -> None:
        body = json.dumps(payload).encode() if payload is not None else b""
        self.send_response(status)
        if body:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _authorised(self) -> bool:
        token = self.headers.get("Authorization", "").removeprefix("Bearer ")
        if token in self.state.tokens:
            return True
        self._send(401, {"title": "Unauthorized"})
        return False

    def _injected_failure(self) -> bool:
        with self.state.lock:
            if self.state.failures_to_inject <= 0:
                return False
            self.state.failures_to_inject -= 1
        self._send(503, {"title": "Service Unavailable"})
        return True

    def do_POST(self) -> None:
        if self.path == "/token":
            form = parse_qs(self._body().decode())
            if (
                form.get("grant_type") != ["client_credentials"]
                or form.get("client_id") != [self.state.client_id]
                or form.get("client_secret") != [self.state.client_secret]
            ):
                return self._send(401, {"error": "invalid_client"})
            token = secrets.token_urlsafe(24)
            self.state.tokens.add(token)
            return self._send(
                200, {"access_token": token, "token_type": "Bearer", "expires_in": 1800, "scope": "send:region:DE"}
            )
        if self.path != "/v1/submissions":
            return self._send(404, {"title": "Not Found"})
        if not self._authorised() or self._injected_failure():
            return None
        announced = json.loads(self._body())
        if announced.get("destinationId") not in self.state.destinations:
            return self._send(422, {"title": "Unknown destination", "detail": "The destination does not exist."})
        attachment_ids = announced.get("announcedAttachments", [])
        service_type = announced.get("serviceType") or {}
        if (
            not isinstance(attachment_ids, list)
            or not all(_is_uuid(value) for value in attachment_ids)
            or len(set(attachment_ids)) != len(attachment_ids)
            or len(attachment_ids) > MAX_ATTACHMENTS
            or not (service_type.get("name") and service_type.get("identifier"))
        ):
            return self._send(400, {"title": "Bad Request", "detail": "announcedAttachments or serviceType invalid."})
        submission = {
            "submissionId": str(uuid.uuid4()),
            "caseId": str(uuid.uuid4()),
            "destinationId": announced["destinationId"],
            "announcedAttachments": attachment_ids,
            "serviceType": service_type,
            "attachments": {},
            "uploads": {},
            "status": "incomplete",
        }
        self.state.submissions[submission["submissionId"]] = submission
        self._send(201, {k: submission[k] for k in ("destinationId", "submissionId", "caseId")})

    def do_GET(self) -> None:
        parts = self.path.strip("/").split("/")
        if self.path == "/.well-known/jwks.json":
            public = json.loads(self.state.api_signing_key.export_public())
            return self._send(200, {"keys": [{**public, "use": "sig", "alg": "PS512"}]})
        if not self._authorised() or self._injected_failure():
            return None
        if parts[:2] == ["v1", "destinations"] and len(parts) in (3, 5):
            destination = self.state.destinations.get(parts[2])
            if destination is None:
                return self._send(404, {"title": "Not Found", "detail": "The destination does not exist."})
            if len(parts) == 5:
                key = destination.public_keys().get(parts[4])
                return self._send(200, key) if key else self._send(404, {"title": "Not Found"})
            schemas = [{"schemaUri": uri, "mimeType": "application/json"} for uri in destination.schemas]
            return self._send(
                200,
                {
                    "destinationId": destination.id,
                    "status": "active",
                    "encryptionKid": destination.encryption_key.get("kid"),
                    "metadataVersions": ["1.2.0"],
                    "services": [
                        {"identifier": "urn:kommunal:service", "submissionSchemas": schemas, "regions": ["DE"]}
                    ],
                },
            )
        if parts[:2] == ["v1", "cases"] and len(parts) == 4 and parts[3] == "events":
            return self._send(200, {"eventLog": list(self.state.event_log.get(parts[2], []))})
        return self._send(404, {"title": "Not Found"})

    def do_PUT(self) -> None:
        parts = self.path.strip("/").split("/")
        if not self._authorised() or self._injected_failure():
            return None
        submission = (
            self.state.submissions.get(parts[2]) if parts[:2] == ["v1", "submissions"] and len(parts) > 2 else None
        )
        if submission is None:
            return self._send(404, {"title": "Not Found"})
        if len(parts) == 5 and parts[3] == "attachments":
            body = self._body().decode()
            if parts[4] not in submission["announcedAttachments"]:
                return self._send(422, {"title": "Attachment was not announced"})
            if self.headers.get("Content-Type") != "application/jose" or body.count(".") != 4:
                return self._send(415, {"title": "Unsupported Media Type", "detail": "Expected a compact JWE."})
            with self.state.lock:
                if submission["status"] != "incomplete":
                    return self._send(409, {"title": "Conflict", "detail": "The submission was already submitted."})
                submission["attachments"][parts[4]] = body
                submission["uploads"][parts[4]] = submission["uploads"].get(parts[4], 0) + 1
            return self._send(204)
        with self.state.lock:
            if submission["status"] != "incomplete":
                return self._send(409, {"title": "Conflict", "detail": "The submission was already submitted."})
            body = json.loads(self._body())
            missing = set(submission["announcedAttachments"]) - set(submission["attachments"])
            if missing or not body.get("encryptedMetadata") or not body.get("encryptedData"):
                return self._send(422, {"title": "Incomplete", "detail": "Announced content is missing."})
            submission.update(body, status="submitted")
        self.state._log(
            submission,
            self.state.sign_event(self.state.api_signing_key, self.state.url, submission, "submit-submission", {}),
        )
        self.state.receive(submission)
        self._send(202, {"submissionId": submission["submissionId"]})


def _demo_schemas() -> dict[str, dict[str, Any]]:
    """The parking-permit schema from the catalogue file, as the demo office's procedure knows it."""
    catalogue = json.loads((Path(__file__).resolve().parent.parent / "catalog" / "data" / "catalog.json").read_text())
    service = next(s for s in catalogue["services"] if s["slug"] == DEMO_SERVICE)
    return {f"urn:kommunal:catalog:{DEMO_SERVICE}:1": service["version"]["form_schema"]}


@register("fitconnect")
def start(base_port: int) -> RunningService:
    """The stand-in with one destination for Zeitz's parking permits; off when a real client is set."""
    if os.environ.get("FITCONNECT_CLIENT_ID"):
        return RunningService("fitconnect", os.environ.get("FITCONNECT_API_URL", "(configured)"))
    stand_in = FitConnectStandIn().serve(base_port + PORT_OFFSET)
    destination = stand_in.add_destination(_demo_schemas())
    environment = {**stand_in.environment(), "KOMMUNAL_DEMO_FITCONNECT_DESTINATION": destination.id}
    return RunningService("fitconnect", stand_in.url, environment, stand_in.stop)
