"""What a FIT-Connect delivery costs: encryption per part, a full round trip through the stand-in.

Prints figures; asserts nothing. Run with ``make bench`` or ``.venv/bin/python bench/transmission.py``.
"""

from __future__ import annotations

import hashlib
import json
import os
import statistics
import sys
import time
from pathlib import Path

import django
from django.conf import settings

settings.configure(USE_I18N=False, FITCONNECT_TRUSTED_ROOTS="")
django.setup()
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # devservices is not an installed package

from devservices.fitconnect import FitConnectStandIn  # noqa: E402
from transmission import fitconnect  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "20"))
DATA = json.dumps({"vorname": "Erika", "nachname": "Mustermann", "strasse": "Markt 1", "plz": "06712"}).encode()
PDF = b"%PDF-1.4 " + os.urandom(3000)


def _median_ms(action) -> float:  # type: ignore[no-untyped-def]
    timings = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def main() -> None:
    stand_in = FitConnectStandIn().serve()
    destination = stand_in.add_destination({"urn:bench": {"type": "object"}})
    env = stand_in.environment()
    client = fitconnect.Client(
        env["FITCONNECT_TOKEN_URL"],
        env["FITCONNECT_API_URL"],
        env["FITCONNECT_CLIENT_ID"],
        env["FITCONNECT_CLIENT_SECRET"],
    )
    key = client.destination_key(destination.id)
    encrypt_data = _median_ms(lambda: fitconnect.encrypt(key, DATA, "application/json"))
    encrypt_pdf = _median_ms(lambda: fitconnect.encrypt(key, PDF, "application/pdf"))
    fetch_key = _median_ms(lambda: client.destination_key(destination.id))

    def round_trip() -> None:
        attachment = "a1b2c3d4-0000-4000-8000-000000000001"
        announced = client.expect(
            201,
            "POST",
            "/v1/submissions",
            payload={
                "destinationId": destination.id,
                "announcedAttachments": [attachment],
                "serviceType": {"name": "Bench", "identifier": "urn:kommunal:service:bench"},
            },
        )
        path = f"/v1/submissions/{announced['submissionId']}"
        client.expect(
            204,
            "PUT",
            f"{path}/attachments/{attachment}",
            body=fitconnect.encrypt(key, PDF, "application/pdf").encode(),
        )
        metadata = {
            "contentStructure": {
                "data": {"submissionSchema": {"schemaUri": "urn:bench"}, "hash": {"content": ""}},
                "attachments": [
                    {
                        "attachmentId": attachment,
                        "purpose": "attachment",
                        "mimeType": "application/pdf",
                        "hash": {"type": "sha512", "content": hashlib.sha512(PDF).hexdigest()},
                    }
                ],
            }
        }
        client.expect(
            202,
            "PUT",
            path,
            payload={
                "encryptedMetadata": fitconnect.encrypt(key, json.dumps(metadata).encode(), "application/json"),
                "encryptedData": fitconnect.encrypt(key, DATA, "application/json"),
            },
        )
        client.verify_events(announced["caseId"], announced["submissionId"], destination.id)

    full = _median_ms(round_trip)
    stand_in.stop()
    print(f"FIT-Connect, RSA-OAEP-256 + A256GCM to a 4096-bit key, median of {ROUNDS}:")
    rows = [
        (f"encrypt form data ({len(DATA)} B)", encrypt_data, ""),
        (f"encrypt PDF attachment ({len(PDF)} B)", encrypt_pdf, f"{encrypt_pdf / encrypt_data:.1f}x data"),
        ("fetch + validate destination key", fetch_key, f"{fetch_key / encrypt_data:.0f}x data"),
        ("announce, upload, submit, office answers, events verified", full, f"{full / fetch_key:.1f}x key fetch"),
    ]
    for label, value, ratio in rows:
        print(f"  {label:<58} {value:7.2f} ms  {ratio}")
    print(f"  -> {1000 / full:.0f} deliveries per second per worker against a loopback API")


if __name__ == "__main__":
    main()
