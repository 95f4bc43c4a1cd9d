"""The body a person turns to when a public body's answer on accessibility does not satisfy them.

Communes are public bodies of their Land, so the Land's enforcement procedure applies
(Landes-Durchsetzungs- or Schlichtungsverfahren under the Land's equality act, mirroring § 16 BGG;
Article 9 of Directive (EU) 2016/2102). The Land is the first two digits of the AGS. Every Land of
the municipality directory has an entry (``tests/design/test_enforcement.py``). Each entry names the
body as it names itself on the page given, and an e-mail address where that page or an official
accessibility statement publishes one. Where the Land's body could not be verified, the entry is
the federal Schlichtungsstelle BGG (which tells people where to turn) and its comment says so; the
commune can always correct the text of its statement.
"""

from __future__ import annotations

from typing import NamedTuple


class EnforcementBody(NamedTuple):
    name: str
    url: str
    email: str = ""


FEDERAL = EnforcementBody(
    "Schlichtungsstelle nach dem Behindertengleichstellungsgesetz (BGG)",
    "https://www.schlichtungsstelle-bgg.de/",
)
BY_LAND: dict[str, EnforcementBody] = {
    # Schleswig-Holstein: LBGG §§ 12e, 12f; at the Landtag (Karolinenweg 1, 24105 Kiel).
    "01": EnforcementBody(
        "Beschwerdestelle für barrierefreie Informationstechnik Schleswig-Holstein",
        "https://www.landtag.ltsh.de/beauftragte/beschwerdestelle-fuer-barrieren/beschwerde-einreichen/",
    ),
    # Hamburg: HmbBGG; the Schlichtungsstelle at the Öffentliche Rechtsauskunft- und Vergleichsstelle
    # also handles public websites. (The IT Ombudsstelle of § 4 HmbBITVO publishes no page of its own.)
    "02": EnforcementBody(
        "Schlichtungsstelle nach dem Hamburgischen Behindertengleichstellungsgesetz",
        "https://www.hamburg.de/politik-und-verwaltung/behoerden/sozialbehoerde/themen/behinderung/"
        "schlichtungsstelle-behinderung/start-43312",
    ),
    # Niedersachsen: § 9d NBGG, at the Landesbeauftragte für Menschen mit Behinderungen (Hannover).
    "03": EnforcementBody(
        "Schlichtungsstelle nach § 9d NBGG bei der Landesbeauftragten für Menschen mit Behinderungen",
        "https://www.behindertenbeauftragte-niedersachsen.de/DE/Schlichtungsstelle/Schlichtungsverfahren/"
        "Aufgabe/Aufgabe_node.html",
    ),
    # Bremen: Durchsetzungsverfahren nach § 16 BremBGG (then Schlichtung nach § 22 BremBGG).
    "04": EnforcementBody(
        "Zentralstelle für barrierefreie Informationstechnik der Freien Hansestadt Bremen",
        "https://www.service.bremen.de/dienstleistungen/beschwerde-gegen-einen-verstoss-gegen-die-"
        "barrierefreiheit-bei-digitalen-angeboten-oeffentlicher-stellen-139830",
    ),
    # Nordrhein-Westfalen: §§ 10d, 10e BGG NRW, §§ 9 ff. BITV NRW.
    "05": EnforcementBody(
        "Ombudsstelle für barrierefreie Informationstechnik des Landes Nordrhein-Westfalen",
        "https://www.lbbp.nrw.de/ombudsstelle",
    ),
    # Hessen: § 6 HVBIT; at the Regierungspräsidium Gießen.
    "06": EnforcementBody(
        "Durchsetzungs- und Überwachungsstelle für barrierefreie Informationstechnik des Landes Hessen",
        "https://lbit.hessen.de/Durchsetzungs-und-Ueberwachungsstelle/Durchsetzungsverfahren-beantragen",
    ),
    # Rheinland-Pfalz: to be confirmed. The Landesinklusionsgesetz (2020) is reported to make the
    # Landesbeauftragte für die Belange von Menschen mit Behinderungen (Bauhofstraße 9, 55116 Mainz)
    # the Schlichtungsstelle; no page of that procedure was verified, hence the federal body.
    "07": FEDERAL,
    # Baden-Württemberg: L-BGG; Schlichtung by the Landeszentrum Barrierefreiheit (LZ-BARR).
    "08": EnforcementBody(
        "Landeszentrum Barrierefreiheit Baden-Württemberg (Schlichtungsverfahren)",
        "https://barrierefreiheit-bw.de/barrierefreiheitdurchsetzen/schlichtungsverfahren",
    ),
    # Bayern: § 11 BayDiV; at the Landesamt für Digitalisierung, Breitband und Vermessung.
    "09": EnforcementBody(
        "Durchsetzungs- und Überwachungsstelle am Landesamt für Digitalisierung, Breitband und Vermessung",
        "https://www.finanzministerium.bayern/digitalisierung/barrierefreiheit/",
    ),
    # Saarland: Schlichtungsstelle nach dem SBGG (being moved into the Landesfachstelle
    # Barrierefreiheit); contact as published in the Land's own accessibility statement.
    "10": EnforcementBody(
        "Schlichtungsstelle nach dem Saarländischen Behindertengleichstellungsgesetz",
        "https://service.saarland.de/barrierefreiheit",
        "inklusion@soziales.saarland.de",
    ),
    # Berlin: Barrierefreie-IKT-Gesetz Berlin; at the Senatsverwaltung für Inneres und Sport.
    "11": EnforcementBody(
        "Landesbeauftragte für digitale Barrierefreiheit (Durchsetzungsstelle des Landes Berlin)",
        "https://www.berlin.de/lb/digitale-barrierefreiheit/aufgaben/durchsetzungsverfahren/"
        "durchsetzungsverfahren-1305830.php",
    ),
    # Brandenburg: BbgBGG, BbgBITV; at the Landesbeauftragte für die Belange der Menschen mit Behinderungen.
    "12": EnforcementBody(
        "Durchsetzungsstelle für digitale Barrierefreiheit des Landes Brandenburg",
        "https://msgiv.brandenburg.de/msgiv/de/beauftragte/landesbehindertenbeauftragte/durchsetzungsstelle",
        "durchsetzung.BIT@msgiv.brandenburg.de",
    ),
    # Mecklenburg-Vorpommern: to be confirmed. Official statements name the Anlauf- und
    # Überwachungsstelle „Digitale Barrierefreiheit“ at the social ministry (§ 2 BITVO M-V); no page
    # or address of it was verified, hence the federal body.
    "13": FEDERAL,
    # Sachsen: Sächsisches Inklusionsgesetz; at the Staatskanzlei.
    "14": EnforcementBody(
        "Durchsetzungsstelle des Freistaates Sachsen",
        "https://www.durchsetzungsstelle.sachsen.de/",
        "Durchsetzungsstelle@sk.sachsen.de",
    ),
    # Sachsen-Anhalt: § 16d BGG LSA; at the Landesfachstelle für Barrierefreiheit.
    "15": EnforcementBody(
        "Ombudsstelle für barrierefreie Informationstechnik des Landes Sachsen-Anhalt",
        "https://lf-barrierefreiheit-st.de/ueber-uns/ombudsstelle",
    ),
    # Thüringen: ThürBarrWebG; at the Landesbeauftragte für Menschen mit Behinderungen.
    "16": EnforcementBody(
        "Landesdurchsetzungsstelle für digitale Barrierefreiheit Thüringen",
        "https://tlmb-thueringen.de/themen/barrierefreiheit/landesdurchsetzungsstelle",
    ),
}


def for_ags(ags: str) -> EnforcementBody:
    """The enforcement body for a commune with this Amtlicher Gemeindeschlüssel."""
    return BY_LAND.get(ags[:2], FEDERAL)
