"""Cost of the request forms: metaschema check per catalogue version, render and validate per submission.

Runs without a database (unsaved ServiceVersion rows built from the shipped catalogue) and prints
figures; ``make bench`` runs it.
"""

from __future__ import annotations

import json
import os
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kommunal.settings")
django.setup()

from django.utils import translation  # noqa: E402

from catalog.loader import DATA_FILE  # noqa: E402
from catalog.models import ServiceVersion  # noqa: E402
from catalog.services import validate_form_schema  # noqa: E402
from citizen_requests.schema_form import build_fields, validate_data  # noqa: E402

ROUNDS = 200
BULKY_WASTE = {
    "vorname": "Erika",
    "nachname": "Mustermann",
    "strasse": "Markt 1",
    "plz": "06712",
    "ort": "Zeitz",
    "gegenstaende": "1 Sofa, 2 Stühle",
    "volumen": 2,
}


def per_call_ms(function, rounds: int) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    for _ in range(rounds):
        function()
    return (time.perf_counter() - start) * 1000 / rounds


def main() -> None:
    entries = json.loads(DATA_FILE.read_text(encoding="utf-8"))["services"]
    versions = {
        e["slug"]: ServiceVersion(form_schema=e["version"]["form_schema"], ui_schema=e["version"]["ui_schema"])
        for e in entries
    }
    check = per_call_ms(lambda: [validate_form_schema(v.form_schema, v.ui_schema) for v in versions.values()], 5)
    print(f"metaschema check of all {len(versions)} forms: {check:.1f} ms ({check / len(versions):.2f} ms per form)")
    bulky = versions["sperrmuell"]
    invalid = {**BULKY_WASTE, "plz": "6712", "volumen": 99}
    with translation.override("de"):
        print(f"render fields (sperrmuell):       {per_call_ms(lambda: build_fields(bulky), ROUNDS):.3f} ms")
        print(
            f"validate a valid submission:      {per_call_ms(lambda: validate_data(bulky, BULKY_WASTE), ROUNDS):.3f} ms"
        )
        print(f"validate an invalid submission:   {per_call_ms(lambda: validate_data(bulky, invalid), ROUNDS):.3f} ms")


if __name__ == "__main__":
    main()
