"""The stand-ins ``python -m devservices run`` starts, and the contract each one fulfils."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class RunningService:
    """A started stand-in: what to show the developer, the settings to hand over, how to stop it."""

    name: str
    url: str
    environment: dict[str, str] = field(default_factory=dict)
    stop: Callable[[], None] = lambda: None


# Each entry starts one stand-in on loopback and returns its RunningService. ``base_port`` is a
# free range reserved for the stand-ins (default 8100); each service adds its own offset.
Starter = Callable[[int], RunningService]

STARTERS: dict[str, Starter] = {}


def register(name: str) -> Callable[[Starter], Starter]:
    """Decorator for a module's ``start(base_port)`` function."""

    def decorator(starter: Starter) -> Starter:
        STARTERS[name] = starter
        return starter

    return decorator
