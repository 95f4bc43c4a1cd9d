"""The commune admin activates, configures, deactivates and upgrades services (pages and API)."""

import pytest
from django_tenants.utils import tenant_context

from activations.models import Activation, ActivationEvent
from catalog import services as catalog_services
from catalog.models import Service
from tests.catalog_helpers import activate, staff_user
from tests.helpers import host_client, signed_in_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(catalogue, communes):  # type: ignore[no-untyped-def]
    return signed_in_client(communes.zeitz, "admin@zeitz.example")


def _publish_v2(slug: str, **changes):  # type: ignore[no-untyped-def]
    service = Service.objects.get(slug=slug)
    v1 = service.versions.get(number=1)
    schema = {
        **v1.form_schema,
        "properties": {**v1.form_schema["properties"], "etage": {"type": "integer", "title": "Etage"}},
    }
    fields = {
        "form_schema": schema,
        "ui_schema": v1.ui_schema,
        "min_fee": v1.min_fee,
        "max_fee": v1.max_fee,
        "default_fee": v1.default_fee,
        "changelog": "Etage ergänzt",
        **changes,
    }
    return catalog_services.publish_version(
        catalog_services.create_draft_version(service, actor="op", **fields), actor="op"
    )


def test_admin_activates_a_service_with_settings_through_the_page(admin, communes) -> None:
    assert "Bewohnerparkausweis" in admin.get("/verwaltung/leistungen/").content.decode()
    response = admin.post(
        "/verwaltung/leistungen/anwohnerparkausweis/aktivieren/",
        {
            "fee": "30.70",
            "office_name": "Ordnungsamt Zeitz",
            "contact_email": "ordnungsamt@zeitz.example",
            "online_submission": "on",
        },
    )
    assert response.status_code == 302
    assert "Ordnungsamt Zeitz" in host_client(communes.zeitz).get("/leistungen/anwohnerparkausweis/").content.decode()


def test_fee_outside_the_allowed_range_is_refused_naming_the_field(admin, communes) -> None:
    response = admin.post(
        "/verwaltung/leistungen/anwohnerparkausweis/aktivieren/", {"fee": "500", "online_submission": "on"}
    )
    assert response.status_code == 400
    assert 'href="#id_fee"' in response.content.decode()
    with tenant_context(communes.zeitz):
        assert not Activation.objects.exists()


def test_edit_deactivate_reactivate_through_the_pages(admin, communes) -> None:
    activate(communes.zeitz, "sperrmuell")
    assert (
        admin.post("/verwaltung/leistungen/sperrmuell/", {"notes": "Max. 5 m³", "online_submission": "on"}).status_code
        == 302
    )
    assert admin.post("/verwaltung/leistungen/sperrmuell/deaktivieren/").status_code == 302
    assert host_client(communes.zeitz).get("/leistungen/sperrmuell/").status_code == 404
    assert admin.post("/verwaltung/leistungen/sperrmuell/reaktivieren/").status_code == 302
    assert "Max. 5 m³" in host_client(communes.zeitz).get("/leistungen/sperrmuell/").content.decode()
    with tenant_context(communes.zeitz):
        actions = list(ActivationEvent.objects.values_list("action", flat=True))
    assert actions == ["activated", "settings_changed", "deactivated", "reactivated"]


def test_upgrade_page_shows_what_changed_and_upgrades(admin, communes) -> None:
    activate(communes.zeitz, "sperrmuell")
    _publish_v2("sperrmuell")
    assert "Auf Version 2 aktualisieren" in admin.get("/verwaltung/leistungen/").content.decode()
    page = admin.get("/verwaltung/leistungen/sperrmuell/aktualisieren/").content.decode()
    assert "Etage" in page
    assert "Etage ergänzt" in page
    assert admin.post("/verwaltung/leistungen/sperrmuell/aktualisieren/").status_code == 302
    with tenant_context(communes.zeitz):
        assert Activation.objects.get().version.number == 2
    assert admin.get("/verwaltung/leistungen/sperrmuell/aktualisieren/").status_code == 404


def test_staff_who_are_not_admins_cannot_manage_services(catalogue, communes) -> None:
    staff_user(communes.zeitz, "kasse@zeitz.example")
    client = signed_in_client(communes.zeitz, "kasse@zeitz.example")
    assert client.get("/verwaltung/leistungen/").status_code == 403
    assert client.get("/api/v1/activations/").status_code == 403
    assert client.get("/verwaltung/anfragen/").status_code == 200


def test_activation_api_lifecycle(admin, communes) -> None:
    created = admin.post(
        "/api/v1/activations/",
        {"service": "e-fahrzeug-parkberechtigung", "fee": "10.00", "office_name": "Straßenverkehrsbehörde"},
        content_type="application/json",
    )
    assert created.status_code == 201
    assert created.json()["version"] == 1
    url = "/api/v1/activations/e-fahrzeug-parkberechtigung/"
    patched = admin.patch(url, {"notes": "Nur mit E-Kennzeichen"}, content_type="application/json")
    assert patched.status_code == 200
    assert patched.json()["notes"] == "Nur mit E-Kennzeichen"
    assert patched.json()["fee"] == "10.00"
    too_high = admin.patch(url, {"fee": "99.00"}, content_type="application/json")
    assert too_high.status_code == 400
    assert too_high.json()["errors"][0]["field"] == "fee"
    unknown = admin.patch(url, {"colour": "blue"}, content_type="application/json")
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["field"] == "colour"
    assert admin.post(url + "deactivate/").json()["is_active"] is False
    assert admin.post(url + "reactivate/").json()["is_active"] is True
    _publish_v2("e-fahrzeug-parkberechtigung")
    assert admin.get(url).json()["version"] == 1
    assert admin.post(url + "upgrade/").json()["version"] == 2


def test_upgrade_is_refused_when_settings_no_longer_fit(admin, communes) -> None:
    from decimal import Decimal

    activate(communes.zeitz, "anwohnerparkausweis", fee=Decimal("150.00"))
    _publish_v2("anwohnerparkausweis", max_fee=Decimal("100.00"), default_fee=Decimal("30.70"))
    response = admin.post("/api/v1/activations/anwohnerparkausweis/upgrade/")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "fee"
    assert admin.get("/api/v1/activations/anwohnerparkausweis/").json()["version"] == 1


def test_activations_are_invisible_through_another_host(catalogue, communes) -> None:
    activate(communes.zeitz, "sperrmuell")
    borna = signed_in_client(communes.borna, "admin@borna.example")
    assert borna.get("/api/v1/activations/").json()["results"] == []
    assert borna.get("/api/v1/activations/sperrmuell/").status_code == 404
    assert borna.post("/api/v1/activations/sperrmuell/deactivate/").status_code == 404
    assert borna.get("/verwaltung/leistungen/sperrmuell/").status_code == 404
    with tenant_context(communes.zeitz):
        assert Activation.objects.get().is_active


def test_activation_list_query_budget(admin, communes, django_assert_max_num_queries) -> None:
    for slug in ("sperrmuell", "maengelmelder", "fundsachen", "meldebescheinigung", "hundesteuer"):
        activate(communes.zeitz, slug)
    with django_assert_max_num_queries(8):  # session, user, one page of activations with service and version
        response = admin.get("/api/v1/activations/")
    assert len(response.json()["results"]) == 5
    with django_assert_max_num_queries(12):  # six statements, each after SET search_path: never per row
        assert admin.get("/verwaltung/leistungen/").status_code == 200
