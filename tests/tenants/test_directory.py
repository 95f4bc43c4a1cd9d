"""The official municipality directory ships with the project and loads idempotently."""

import pytest
from django.core.management import call_command

from tenants.models import DirectoryRelease, Municipality

pytestmark = pytest.mark.django_db


def test_directory_holds_every_german_municipality(directory) -> None:
    assert Municipality.objects.count() == 10588
    zeitz = Municipality.objects.get(ags="15084590")
    assert (zeitz.short_name, zeitz.kreis, zeitz.land, zeitz.is_city) == (
        "Zeitz",
        "Burgenlandkreis",
        "Sachsen-Anhalt",
        True,
    )


def test_loading_again_changes_nothing_and_shows_the_datas_date(directory, capsys) -> None:
    releases = DirectoryRelease.objects.count()
    call_command("load_municipalities")
    out = capsys.readouterr().out
    assert "2021-01-25" in out
    assert "already loaded" in out
    assert DirectoryRelease.objects.count() == releases
    assert Municipality.objects.count() == 10588


def test_loading_a_missing_file_fails_with_a_sentence(directory, tmp_path) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="does not exist"):
        call_command("load_municipalities", file=tmp_path / "missing.csv")
