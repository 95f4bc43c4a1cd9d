"""XZuFi-shaped export and import of the catalogue: round trip, and refusals that change nothing."""

import copy
import json

import pytest
from django.core.management import CommandError, call_command

from catalog import xzufi
from catalog.models import Service, ServiceVersion
from tests.catalog_helpers import load_shipped_catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture
def exported(db) -> dict:  # type: ignore[no-untyped-def]
    load_shipped_catalogue()
    return xzufi.export_catalog("test")


def _snapshot() -> list[tuple]:
    return list(ServiceVersion.objects.order_by("pk").values_list("pk", "service__slug", "number", "status"))


def test_export_carries_the_information_in_xzufi_names(exported) -> None:
    parking = next(item for item in exported["leistungen"] if item["id"] == "anwohnerparkausweis")
    assert exported["format"] == "kommunal-xzufi-json"
    assert parking["leistungsbezeichnung"]["de"] == "Bewohnerparkausweis (Anwohnerparken)"
    assert parking["version"]["informationen"]["unterlagen"][0]["erforderlich"] is True
    assert parking["version"]["kosten"] == {"mindestens": "10.00", "hoechstens": "200.00", "regelgebuehr": "30.70"}


def test_importing_the_own_export_changes_nothing(exported) -> None:
    before = _snapshot()
    result = xzufi.import_catalog(json.loads(json.dumps(exported)), actor="test")
    assert result.unchanged == len(exported["leistungen"])
    assert (result.created, result.updated, result.new_versions) == (0, 0, 0)
    assert _snapshot() == before


def test_round_trip_into_new_services_reproduces_them(exported) -> None:
    copies = copy.deepcopy(exported)
    for item in copies["leistungen"]:
        item["id"] = f"kopie-{item['id']}"
    result = xzufi.import_catalog(copies, actor="test")
    assert result.created == len(exported["leistungen"])
    again = [item for item in xzufi.export_catalog("test")["leistungen"] if item["id"].startswith("kopie-")]
    assert again == [{**item, "version": {**item["version"], "nummer": 1}} for item in copies["leistungen"]]


def test_an_edited_text_becomes_a_new_published_version(exported) -> None:
    document = copy.deepcopy(exported)
    parking = next(item for item in document["leistungen"] if item["id"] == "anwohnerparkausweis")
    parking["version"]["informationen"]["bearbeitungsdauer"] = {"de": "Sofort.", "en": "At once."}
    result = xzufi.import_catalog(document, actor="test")
    assert result.new_versions == 1
    newest = ServiceVersion.objects.filter(service__slug="anwohnerparkausweis").order_by("-number").first()
    assert newest.status == ServiceVersion.Status.PUBLISHED
    assert newest.information["bearbeitungsdauer"]["de"] == "Sofort."
    assert "Sofort." in newest.search_text


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (
            lambda d: d["leistungen"][1]["version"]["informationen"].update(unterlagen=[{"erforderlich": True}]),
            "leistungen/1/version/informationen/unterlagen/0",
        ),
        (lambda d: d["leistungen"][2].update(kategorie="nirgendwo"), "leistungen/2/kategorie"),
        (
            lambda d: d["leistungen"][0]["version"]["informationen"].update(
                rechtsgrundlagen=[{"bezeichnung": {"de": "StVO"}, "uri": "javascript:alert(1)"}]
            ),
            "leistungen/0/version/informationen/rechtsgrundlagen/0/uri",
        ),
        (
            lambda d: d["leistungen"][3]["version"].update(formular={"type": "object", "properties": []}),
            "leistungen/3/version/formular",
        ),
        (
            lambda d: d["leistungen"][1]["version"]["kosten"].update(mindestens="90.00", hoechstens="10.00"),
            "leistungen/1/version/kosten",
        ),
        (lambda d: d["leistungen"].append(copy.deepcopy(d["leistungen"][0])), None),
        (lambda d: d.pop("format"), ""),
    ],
)
def test_a_bad_import_is_refused_with_the_path_and_changes_nothing(exported, change, path) -> None:
    document = copy.deepcopy(exported)
    document["leistungen"][0]["kurztext"]["de"] = "Geändert, aber nie gespeichert"
    change(document)
    before = _snapshot()
    texts = list(Service.objects.order_by("slug").values_list("summary_de", flat=True))
    with pytest.raises(xzufi.ImportRefused) as refused:
        xzufi.import_catalog(document, actor="test")
    expected = path if path is not None else f"leistungen/{len(document['leistungen']) - 1}/id"
    assert refused.value.path == expected
    assert _snapshot() == before
    assert list(Service.objects.order_by("slug").values_list("summary_de", flat=True)) == texts


def test_commands_export_and_refuse_with_a_sentence(exported, tmp_path) -> None:
    target = tmp_path / "catalog.json"
    call_command("export_catalog", "--output", str(target))
    document = json.loads(target.read_text())
    assert len(document["leistungen"]) == len(exported["leistungen"])
    document["leistungen"][0]["emobilitaet"] = "ja"
    target.write_text(json.dumps(document))
    with pytest.raises(CommandError, match=r"nothing changed\. leistungen/0/emobilitaet: 'ja' is not of type"):
        call_command("import_catalog", str(target))
