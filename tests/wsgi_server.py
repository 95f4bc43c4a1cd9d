"""The platform behind a real WSGI server (gunicorn) on loopback, in its own processes."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(port: int, host: str, path: str = "/") -> tuple[int, bytes]:
    """GET ``path`` with ``Host: host`` from the server on ``port``; (status, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Host": host})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@contextmanager
def gunicorn(database_url: str, *, workers: int = 1, settings: str = "tests.settings") -> Iterator[int]:
    """Serve the platform from ``database_url`` with ``workers`` sync workers; yields the port."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": settings, "KOMMUNAL_TESTING": "1"}
    command = [sys.executable, "-m", "gunicorn", "kommunal.wsgi:application"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--log-level", "warning"]
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                get(port, "localhost", "/health/")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)
