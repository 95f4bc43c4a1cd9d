from __future__ import annotations

from collections.abc import Iterator

import pytest

from devservices.fitconnect import FitConnectStandIn
from tests.catalog_helpers import load_shipped_catalogue


@pytest.fixture(scope="session")
def _stand_in() -> Iterator[FitConnectStandIn]:
    stand_in = FitConnectStandIn().serve()
    yield stand_in
    stand_in.stop()


@pytest.fixture
def stand_in(_stand_in: FitConnectStandIn, settings) -> FitConnectStandIn:  # type: ignore[no-untyped-def]
    """The FIT-Connect stand-in on loopback, configured as this platform's sender client."""
    for name, value in _stand_in.environment().items():
        setattr(settings, name, value)
    _stand_in.failures_to_inject = 0
    _stand_in.in_transit = None
    return _stand_in


@pytest.fixture
def catalogue(db) -> None:  # type: ignore[no-untyped-def]
    load_shipped_catalogue()
