"""Every Land of the municipality directory has an enforcement body for the accessibility statement."""

from __future__ import annotations

import csv

from legal import enforcement
from tenants.directory import DATA_FILE


def _land_prefixes() -> set[str]:
    with DATA_FILE.open(encoding="utf-8") as data:
        return {row["ags"][:2] for row in csv.DictReader(data)}


def test_every_land_in_the_directory_has_an_enforcement_body() -> None:
    lands = _land_prefixes()
    assert len(lands) == 16, "the directory covers the sixteen Länder"
    assert lands <= set(enforcement.BY_LAND), sorted(lands - set(enforcement.BY_LAND))


def test_every_body_has_a_name_and_an_https_address() -> None:
    for land, body in enforcement.BY_LAND.items():
        assert body.name.strip(), land
        assert body.url.startswith("https://"), land
        assert not body.email or "@" in body.email, land


def test_a_commune_gets_the_body_of_its_own_land() -> None:
    assert enforcement.for_ags("14729050").url == "https://www.durchsetzungsstelle.sachsen.de/"
    assert enforcement.for_ags("12071372").email == "durchsetzung.BIT@msgiv.brandenburg.de"
    assert enforcement.for_ags("05315000").url == "https://www.lbbp.nrw.de/ombudsstelle"
