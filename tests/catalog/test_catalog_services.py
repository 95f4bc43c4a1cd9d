"""Drafting, publishing and retiring versions; loading the shipped catalogue."""

import json
from typing import cast

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from audit.models import AuditEvent
from catalog import services
from catalog.loader import DATA_FILE, load_catalog
from catalog.models import Service, ServiceVersion
from tests.factories import SIMPLE_FORM, ServiceFactory

pytestmark = pytest.mark.django_db


def new_service() -> Service:
    return cast(Service, ServiceFactory.create())


def test_a_draft_needs_a_valid_json_schema_and_nothing_is_stored_otherwise() -> None:
    service = new_service()
    broken = {"type": "object", "properties": {"name": {"type": "strnig"}}}
    with pytest.raises(ValidationError) as error:
        services.create_draft_version(service, form_schema=broken, actor="op@example.org")
    assert "form_schema" in error.value.message_dict
    assert not service.versions.exists()


def test_draft_publish_retire_lifecycle_is_audited() -> None:
    service = new_service()
    draft = services.create_draft_version(service, form_schema=SIMPLE_FORM, actor="op@example.org")
    assert (draft.number, draft.status) == (1, "draft")
    published = services.publish_version(draft, actor="op@example.org")
    assert published.status == "published"
    assert published.published_at is not None
    with pytest.raises(ValidationError):
        services.publish_version(published, actor="op@example.org")
    second = services.create_draft_version(service, form_schema=SIMPLE_FORM, actor="op@example.org")
    assert second.number == 2
    retired = services.retire_version(published, actor="op@example.org")
    assert retired.status == "retired"
    actions = list(AuditEvent.objects.filter(target=service.slug).order_by("id").values_list("action", flat=True))
    assert actions == [
        "catalog.version_drafted",
        "catalog.version_published",
        "catalog.version_drafted",
        "catalog.version_retired",
    ]


def test_fee_rules_must_be_consistent() -> None:
    from decimal import Decimal

    with pytest.raises(ValidationError) as error:
        services.create_draft_version(
            new_service(), form_schema=SIMPLE_FORM, min_fee=Decimal("10"), max_fee=Decimal("5"), actor="op"
        )
    assert "max_fee" in error.value.message_dict


def test_shipped_catalogue_has_the_required_services_with_valid_forms() -> None:
    load_catalog()
    slugs = set(Service.objects.values_list("slug", flat=True))
    assert len(slugs) >= 25
    assert {
        "anwohnerparkausweis",
        "hundesteuer",
        "sperrmuell",
        "meldebescheinigung",
        "gewerbeanmeldung",
        "sondernutzungserlaubnis",
        "baumfaellgenehmigung",
        "maengelmelder",
        "kita-voranmeldung",
        "fundsachen",
        "ladesaeule-oeffentlicher-raum",
        "e-fahrzeug-parkberechtigung",
        "sharing-registrierung",
    } <= slugs
    assert Service.objects.filter(is_emobility=True).count() >= 3
    for version in ServiceVersion.objects.all():
        assert version.status == "published"
        for name in version.form_schema["properties"]:
            assert version.ui_schema[name]["en"]["title"], f"{version} lacks an English title for {name}"


def test_load_catalog_is_idempotent_and_never_changes_a_published_version(tmp_path, capsys) -> None:
    call_command("load_catalog")
    call_command("load_catalog")
    assert "0 new versions, 28 unchanged" in capsys.readouterr().out
    assert ServiceVersion.objects.count() == 28

    document = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    document["version"] = "2026.2"
    entry = next(e for e in document["services"] if e["slug"] == "sperrmuell")
    entry["title_en"] = "Bulky waste collection"
    entry["version"]["form_schema"]["properties"]["etage"] = {"type": "integer", "title": "Etage"}
    changed = tmp_path / "catalog.json"
    changed.write_text(json.dumps(document), encoding="utf-8")
    first = ServiceVersion.objects.get(service__slug="sperrmuell", number=1)
    before = (first.form_schema, first.status)

    result = load_catalog(changed)
    assert (result.new_versions, result.updated) == (1, 1)
    first.refresh_from_db()
    assert (first.form_schema, first.status) == before
    second = ServiceVersion.objects.get(service__slug="sperrmuell", number=2)
    assert second.status == "published"
    assert "etage" in second.form_schema["properties"]
    assert load_catalog(changed).new_versions == 0


def test_load_catalog_refuses_a_broken_file(tmp_path) -> None:
    from django.core.management.base import CommandError

    broken = tmp_path / "catalog.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("load_catalog", file=broken)
    assert not Service.objects.exists()
