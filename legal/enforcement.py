"""The body a person turns to when a public body's answer on accessibility does not satisfy them.

Communes are public bodies of their Land, so the Land's enforcement procedure applies
(Landes-Durchsetzungsverfahren under the Land's equality act, mirroring § 16 BGG). The Land is the
first two digits of the AGS. Only bodies whose official name and address were verified are listed;
for the other Länder the statement names the federal Schlichtungsstelle BGG, which tells people
where to turn, and the commune can correct the text of its statement.
"""

from __future__ import annotations

from typing import NamedTuple


class EnforcementBody(NamedTuple):
    name: str
    url: str


FEDERAL = EnforcementBody(
    "Schlichtungsstelle nach dem Behindertengleichstellungsgesetz (BGG)", "https://www.schlichtungsstelle-bgg.de/"
)
BY_LAND = {
    # Sächsisches Inklusionsgesetz; complaints also by e-mail to Durchsetzungsstelle@sk.sachsen.de.
    "14": EnforcementBody("Durchsetzungsstelle des Freistaates Sachsen", "https://www.durchsetzungsstelle.sachsen.de/"),
}


def for_ags(ags: str) -> EnforcementBody:
    """The enforcement body for a commune with this Amtlicher Gemeindeschlüssel."""
    return BY_LAND.get(ags[:2], FEDERAL)
