"""Bad identifiers are refused with a sentence that says what is wrong."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from tenants import actions
from tenants.models import Commune
from tenants.validators import validate_ags, validate_schema_name

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["public", "pg_catalog", "pg_zeitz", "www", "api", "admin", "information_schema"])
def test_reserved_schema_names_are_refused(name: str) -> None:
    with pytest.raises(ValidationError) as error:
        validate_schema_name(name)
    assert name in " ".join(error.value.messages)
    assert "reserv" in " ".join(error.value.messages).lower()


@pytest.mark.parametrize(
    "name", ["", "ab", "Zeitz", "1zeitz", "zeitz-elster", "zeitz;drop", "z" * 64, "zeitz elster", "zéitz"]
)
def test_malformed_schema_names_are_refused(name: str) -> None:
    with pytest.raises(ValidationError, match="schema name"):
        validate_schema_name(name)


@pytest.mark.parametrize("ags", ["1508459", "150845900", "1508459a", "00084590", "17084590", "99000000"])
def test_malformed_ags_is_refused(ags: str) -> None:
    with pytest.raises(ValidationError, match="AGS"):
        validate_ags(ags)


def test_registering_with_a_reserved_address_name_is_refused_and_stores_nothing(directory) -> None:
    with pytest.raises(ValidationError, match="reserved"):
        actions.register_commune(ags="15084590", slug="admin", actor="test")
    assert not Commune.objects.filter(ags="15084590", slug="admin").exists()


def test_ags_missing_from_the_official_directory_is_refused(directory) -> None:
    with pytest.raises(ValidationError, match="official directory"):
        actions.register_commune(ags="15999999", actor="test")


def test_the_same_ags_cannot_be_registered_twice(communes) -> None:
    with pytest.raises(ValidationError, match="already uses Kommunal"):
        actions.register_commune(ags="15084590", slug="zeitz-zwei", actor="test")


def test_cli_refuses_an_unknown_ags_with_a_sentence(directory) -> None:
    with pytest.raises(CommandError, match="No municipality with the AGS 15999999"):
        call_command("create_commune", "15999999", admin_email="a@b.example")


def test_slug_is_derived_from_the_official_name(directory) -> None:
    commune = actions.register_commune(ags="14626600", actor="test")
    assert commune.slug == "weisswasser"
    assert commune.schema_name == "weisswasser"
    assert commune.kind == Commune.Kind.STADT
    assert commune.landkreis == "Kreis Görlitz"


def test_status_transitions_are_recorded_with_time_and_actor(communes) -> None:
    actions.suspend_commune(communes.borna, actor="operator:a@b.example", reason="Test")
    actions.reactivate_commune(communes.borna, actor="operator:a@b.example")
    last_two = list(communes.borna.transitions.order_by("-at", "-id")[:2])
    assert [t.to_status for t in last_two] == ["active", "suspended"]
    assert last_two[1].reason == "Test"
    assert last_two[1].actor == "operator:a@b.example"
    assert all(t.at is not None for t in last_two)


def test_a_lifecycle_step_that_is_not_allowed_is_refused(communes) -> None:
    with pytest.raises(actions.TransitionError, match="cannot go from"):
        actions.transition(communes.zeitz, Commune.Status.PENDING_REVIEW, actor="test")


def test_messages_are_german_for_german_users(directory) -> None:
    from django.utils import translation

    with translation.override("de"), pytest.raises(ValidationError, match="amtlichen Verzeichnis"):
        actions.register_commune(ags="15999999", actor="test")
