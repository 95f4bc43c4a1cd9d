"""The project directory ``platform/`` must never shadow Python's ``platform`` module."""

import platform
import sys
import sysconfig
from pathlib import Path


def test_import_platform_is_the_standard_library_from_the_repository_root() -> None:
    stdlib = Path(sysconfig.get_paths()["stdlib"]).resolve()
    assert Path(platform.__file__).resolve().parent == stdlib
    assert callable(platform.python_version)
    assert platform.python_version() == ".".join(map(str, sys.version_info[:3]))


def test_the_django_project_is_importable_as_kommunal() -> None:
    import kommunal.settings

    assert Path(kommunal.settings.__file__).resolve().parent.name == "platform"
