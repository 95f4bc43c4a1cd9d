"""The installed distribution ships the project as ``kommunal`` and never a ``platform`` package."""

import runpy
from pathlib import Path
from typing import Any

import setuptools

ROOT = Path(__file__).resolve().parent.parent


def _declared_packages(monkeypatch: Any) -> list[str]:
    captured: dict[str, Any] = {}
    monkeypatch.setattr(setuptools, "setup", lambda **kwargs: captured.update(kwargs))
    monkeypatch.chdir(ROOT)
    runpy.run_path(str(ROOT / "setup.py"))
    return list(captured["packages"])


def test_no_package_named_platform_is_distributed(monkeypatch) -> None:
    packages = _declared_packages(monkeypatch)
    assert "kommunal" in packages
    assert not [name for name in packages if name == "platform" or name.startswith("platform.")]


def test_every_app_and_its_data_directories_are_distributed(monkeypatch) -> None:
    packages = set(_declared_packages(monkeypatch))
    assert {"tenants", "tenants.migrations", "tenants.data", "kommunal.templates.kommunal"} <= packages
