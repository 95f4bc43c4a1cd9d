"""``python -m tests.faults.seed``: give a copied database what the fault tests submit against.

Run in a subprocess whose ``DATABASE_URL`` names the fault suite's own PostgreSQL server: the
shipped test catalogue and Zeitz offering bulky-waste collection online.
"""

from __future__ import annotations

import django


def main() -> None:
    django.setup()
    from tenants.models import Commune
    from tests.catalog_helpers import activate, load_shipped_catalogue

    load_shipped_catalogue()
    activate(Commune.objects.get(slug="zeitz"), "sperrmuell")


if __name__ == "__main__":
    main()
