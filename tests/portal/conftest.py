import pytest

from tests.catalog_helpers import load_shipped_catalogue


@pytest.fixture
def catalogue(db) -> None:  # type: ignore[no-untyped-def]
    load_shipped_catalogue()
