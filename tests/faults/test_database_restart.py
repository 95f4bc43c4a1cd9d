"""PostgreSQL restarted while citizens submit requests: each is stored once or refused with 503.

The platform runs under gunicorn against the suite's own embedded PostgreSQL server (a copy of
the test database with Zeitz offering bulky-waste collection). Three clients submit requests
without pause while the server is shut down (fast: sessions terminated, open transactions
aborted) and started again. Afterwards every 201 must name a request that is stored exactly once
with its status history and audit entry, every other answer must be a 503 problem document with
Retry-After whose request left nothing behind, and the same platform process must accept
requests again without being restarted.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from psycopg.conninfo import make_conninfo

from tests.catalog_helpers import BULKY_WASTE
from tests.faults.servers import Platform, Postgres, http, seed

pytestmark = pytest.mark.django_db

CLIENTS = 3
DOWN_SECONDS = 1.5


@dataclass
class Outcomes:
    """What the submitting clients got back, per e-mail address (one address per submission)."""

    answers: dict[str, tuple[int, dict[str, str], bytes]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def created(self) -> int:
        with self.lock:
            return sum(status == 201 for status, _headers, _body in self.answers.values())


@pytest.fixture
def own_postgres(communes, tmp_path: Path) -> Iterator[Postgres]:
    """The suite's PostgreSQL with a copy of the test database (registry, Zeitz, Borna)."""
    server = Postgres(tmp_path)
    try:
        source = connection.settings_dict
        server.load(
            make_conninfo(
                host=source["HOST"] or None,
                port=source["PORT"] or None,
                user=source["USER"] or None,
                password=source["PASSWORD"] or None,
                dbname=source["NAME"],
            )
        )
        seed(server.uri())
        yield server
    finally:
        server.cleanup()


@pytest.fixture
def platform(own_postgres: Postgres, tmp_path: Path) -> Iterator[Platform]:
    server = Platform(own_postgres.uri(), tmp_path / "gunicorn.log")
    yield server
    server.stop()


def _submit_until(stop: threading.Event, platform: Platform, host: str, numbers: Iterator[int], out: Outcomes) -> None:
    while not stop.is_set():
        email = f"fault-{next(numbers)}@example.org"
        body = json.dumps({"service": "sperrmuell", "email": email, "data": BULKY_WASTE}).encode()
        answer = http("POST", f"{platform.url}/api/v1/requests/", host, body)
        with out.lock:
            out.answers[email] = answer
        if answer[0] != 201:
            time.sleep(0.02)


def _wait_for(condition, timeout: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_restarted_database_loses_no_request_and_stores_none_twice(communes, own_postgres, platform) -> None:
    host = communes.zeitz.primary_host
    outcomes, stop, numbers = Outcomes(), threading.Event(), itertools.count()
    clients = [
        threading.Thread(target=_submit_until, args=(stop, platform, host, numbers, outcomes)) for _ in range(CLIENTS)
    ]
    for client in clients:
        client.start()
    try:
        _wait_for(lambda: outcomes.created() >= 5, timeout=30)
        own_postgres.stop()
        time.sleep(DOWN_SECONDS)
        page_status, page_headers, page = http("GET", f"{platform.url}/", host)
        own_postgres.start()
        before = outcomes.created()
        _wait_for(lambda: outcomes.created() >= before + 5, timeout=30)
    finally:
        stop.set()
        for client in clients:
            client.join()

    # While the database was down a page said so, with a status a proxy or browser understands.
    assert page_status == 503
    assert page_headers["Retry-After"].isdigit()
    assert "Vorübergehend nicht verfügbar" in page.decode()

    refused = {email: answer for email, answer in outcomes.answers.items() if answer[0] != 201}
    created = {
        email: json.loads(answer[2])["tracking_number"]
        for email, answer in outcomes.answers.items()
        if answer[0] == 201
    }
    assert refused, "no submission met the stopped database"
    for status, headers, body in refused.values():
        assert status == 503
        assert headers["Content-Type"] == "application/problem+json"
        assert headers["Retry-After"].isdigit()
        assert json.loads(body)["type"].endswith("/service-unavailable")

    schema = communes.zeitz.schema_name
    with psycopg.connect(own_postgres.uri()) as db:
        rows = db.execute(
            f"""SELECT r.email, r.tracking_number, count(DISTINCT c.id),
                       (SELECT count(*) FROM public.audit_auditevent a
                         WHERE a.action = 'request.submitted' AND a.target = r.tracking_number)
                  FROM "{schema}".citizen_requests_citizenrequest r
                  LEFT JOIN "{schema}".citizen_requests_statuschange c ON c.request_id = r.id
                 GROUP BY r.id"""  # noqa: S608 (schema name from the registry)
        ).fetchall()
    stored: dict[str, list[tuple[str, int, int]]] = {}
    for email, tracking_number, changes, audits in rows:
        stored.setdefault(email, []).append((tracking_number, changes, audits))
    # Every acknowledged request is there exactly once, complete; every refused one left nothing.
    assert {email: [(created[email], 1, 1)] for email in created} == {e: stored.get(e) for e in created}
    assert not set(stored) & set(refused)
    assert set(stored) <= set(created)
