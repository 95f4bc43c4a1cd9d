"""Dockerfile, container health check, infra/check.sh and the operations guide."""

from __future__ import annotations

import http.server
import os
import re
import subprocess
import sys
import threading

import pytest


@pytest.fixture(scope="module")
def dockerfile(helpers) -> str:
    return (helpers.repo_root / "Dockerfile").read_text(encoding="utf-8")


def _instructions(dockerfile: str) -> list[str]:
    joined = re.sub(r"\\\n", " ", dockerfile)
    return [line.strip() for line in joined.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_dockerfile_is_multi_stage(dockerfile):
    stages = [line for line in _instructions(dockerfile) if line.upper().startswith("FROM ")]
    assert len(stages) >= 2
    assert all(":latest" not in stage and re.search(r":\S+", stage) for stage in stages), "pin the base image tag"
    assert any("COPY --from=build" in line for line in _instructions(dockerfile))


def test_dockerfile_runs_as_non_root(dockerfile):
    users = [line.split(None, 1)[1] for line in _instructions(dockerfile) if line.upper().startswith("USER ")]
    assert users, "USER missing"
    assert users[-1].split(":")[0] not in {"root", "0"}


def test_dockerfile_serves_gunicorn_with_health_check(dockerfile):
    instructions = _instructions(dockerfile)
    assert instructions[-1] == 'CMD ["gunicorn", "kommunal.wsgi:application"]'
    assert "EXPOSE 8000" in instructions
    assert "--bind=0.0.0.0:8000" in dockerfile
    healthchecks = [line for line in instructions if line.upper().startswith("HEALTHCHECK")]
    assert len(healthchecks) == 1
    assert "/opt/kommunal/healthcheck.py" in healthchecks[0]
    assert "kommunal collectstatic --noinput" in dockerfile
    assert "pip install ." in dockerfile


def test_dockerignore_keeps_secrets_and_venvs_out(helpers):
    patterns = (helpers.repo_root / ".dockerignore").read_text(encoding="utf-8").splitlines()
    for pattern in (".git", ".venv", ".env", ".kommunal"):
        assert pattern in patterns
    assert "!infra/docker/healthcheck.py" in patterns, "the health check script is copied into the image"
    assert "README.md" not in patterns, "pyproject.toml's readme is needed by pip install ."


class _Health(http.server.BaseHTTPRequestHandler):
    status = 200
    seen_hosts: list[str] = []

    def do_GET(self):  # http.server calls it by this name
        type(self).seen_hosts.append(self.headers.get("Host", ""))
        code = type(self).status if self.path == "/health/" else 404
        self.send_response(code)
        self.end_headers()

    def log_message(self, *args):  # keep pytest output clean
        pass


@pytest.fixture
def health_server():
    server = http.server.HTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _run_healthcheck(helpers, port: int) -> subprocess.CompletedProcess:
    env = dict(os.environ, KOMMUNAL_HEALTHCHECK_PORT=str(port), KOMMUNAL_DOMAIN="kommunal.example.de")
    return subprocess.run(
        [sys.executable, str(helpers.repo_root / "infra" / "docker" / "healthcheck.py")],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
        check=False,
    )


@pytest.mark.parametrize(("status", "exit_code"), [(200, 0), (503, 1)])
def test_healthcheck_reflects_health_endpoint(helpers, health_server, status, exit_code):
    _Health.status = status
    _Health.seen_hosts = []
    result = _run_healthcheck(helpers, health_server.server_address[1])
    assert result.returncode == exit_code, result.stderr
    assert _Health.seen_hosts == ["kommunal.example.de"]


def test_healthcheck_fails_when_nothing_listens(helpers):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = _run_healthcheck(helpers, port)
    assert result.returncode == 1
    assert "unhealthy" in result.stderr


def test_check_script_is_strict_and_offline(helpers):
    script = helpers.repo_root / "infra" / "check.sh"
    text = script.read_text(encoding="utf-8")
    assert os.access(script, os.X_OK)
    assert text.startswith("#!/usr/bin/env bash")
    assert "set -euo pipefail" in text
    assert "terraform fmt -check -recursive" in text
    assert ".venv-tools" in text
    assert "-m venv" in text
    for flag in (
        "--framework terraform",
        "--quiet",
        "--compact",
        "--skip-download",
        "--download-external-modules false",
    ):
        assert flag in text, flag
    assert "terraform init" not in text, "no provider download in checks"


def test_operations_guide_covers_the_runbooks(helpers):
    guide = (helpers.repo_root / "docs" / "operations.md").read_text(encoding="utf-8")
    for needle in (
        "migrate_locked",
        "advisory lock",
        "pg_dump",
        "-n",
        "pg_restore",
        "put-secret-value",
        "update-service",
        "Kommunal/Celery",
        "QueueDepth",
        "use_lockfile",
        "KOMMUNAL_S3_ENDPOINT_URL",
        "infra/check.sh",
        "listener certificate",
    ):
        assert needle in guide, f"docs/operations.md does not mention {needle}"
