"""The examples of docs/api.md work as written against a live server.

The ``bash`` and ``python`` blocks run in order with ``KOMMUNAL_URL`` (Zeitz's host on the live
server) and ``KOMMUNAL_API_KEY`` set; the Python blocks share one namespace like a session. Zeitz
offers the shipped bulky waste service (``sperrmuell``). The shell examples also see the
session's upper-case string variables (e.g. ``TRACKING_NUMBER``), as a reader following along
would have set them in their shell.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from activations.models import Activation
from citizen_requests.models import CitizenRequest
from integrations.models import ApiKey, WebhookDelivery, WebhookSubscription
from kommunal.api.models import IdempotencyRecord
from tenants.db import connection
from tests.api.helpers import create_key
from tests.catalog_helpers import activate, load_shipped_catalogue

API_MD = Path(__file__).resolve().parents[2] / "docs" / "api.md"
BLOCK = re.compile(r"^```(bash|python)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _blocks() -> list[tuple[str, str]]:
    return [(match.group(1), match.group(2)) for match in BLOCK.finditer(API_MD.read_text())]


def test_the_walkthrough_has_curl_and_python_examples() -> None:
    languages = [language for language, _code in _blocks()]
    assert "bash" in languages
    assert languages.count("python") >= 3


@pytest.fixture
def resolve_localhost_subdomains(monkeypatch) -> None:
    """``zeitz.localhost`` is loopback (RFC 6761); curl knows it, the C resolver here may not."""
    original = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if isinstance(host, str) and host.endswith(".localhost"):
            host = "127.0.0.1"
        return original(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_walkthrough_examples_run_against_a_live_server(
    communes, live_server, resolve_localhost_subdomains, capfd
) -> None:
    load_shipped_catalogue()
    activate(communes.zeitz, "sperrmuell")
    scopes = ["commune:read", "users:read", "requests:read", "requests:write", "webhooks:read", "webhooks:write"]
    secret = create_key(communes.zeitz, scopes)
    port = live_server.url.rsplit(":", 1)[1]
    env = {**os.environ, "KOMMUNAL_URL": f"http://{communes.zeitz.primary_host}:{port}", "KOMMUNAL_API_KEY": secret}
    namespace: dict = {}
    shell_output = []
    try:
        for language, code in _blocks():
            if language == "bash":
                if shutil.which("curl") is None:
                    pytest.skip("curl is not installed")
                exported = {
                    name: value for name, value in namespace.items() if name.isupper() and isinstance(value, str)
                }
                result = subprocess.run(
                    ["bash", "-euo", "pipefail", "-c", code], env={**env, **exported}, capture_output=True, text=True
                )
                assert result.returncode == 0, result.stderr
                shell_output.append(result.stdout.replace(" ", ""))
            else:
                os.environ.update({key: env[key] for key in ("KOMMUNAL_URL", "KOMMUNAL_API_KEY")})
                exec(compile(code, str(API_MD), "exec"), namespace)  # noqa: S102 (the documentation's own code)
        output = capfd.readouterr().out
        assert '"name":"Zeitz"' in shell_output[0]
        assert '"tracking_number":"ZEI-' in "".join(shell_output)
        assert "Zeitz" in output
        assert "admin@zeitz.example" in output
        assert '"type": "ping"' in output
        assert '"type": "request.status_changed"' in output
        assert "in_progress" in output
    finally:
        for name in ("KOMMUNAL_URL", "KOMMUNAL_API_KEY"):
            os.environ.pop(name, None)
        connection.set_tenant(communes.zeitz)
        for model in (WebhookDelivery, WebhookSubscription, ApiKey, IdempotencyRecord, CitizenRequest, Activation):
            model.objects.all().delete()
        connection.set_schema_to_public()
