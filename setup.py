"""Package discovery: the Django project lives in ``platform/`` but is imported as ``kommunal``.

A directory named ``platform`` must never become an importable package (it would shadow the
standard library), so its modules are installed under the name ``kommunal``. Every other
top-level directory with an ``apps.py`` is a Django app and installed under its own name;
everything else about the package is declared in ``pyproject.toml``.
"""

from pathlib import Path

from setuptools import find_namespace_packages, setup

ROOT = Path(__file__).parent
APPS = sorted(path.parent.name for path in ROOT.glob("*/apps.py") if path.parent.name != "platform")

# Namespace discovery also lists the data directories (templates, locale, static, data), so
# their files ship as package data of the directory they are in.
EXCLUDE = ["*__pycache__*"]
packages = ["kommunal"] + [f"kommunal.{name}" for name in find_namespace_packages("platform", exclude=EXCLUDE)]
for app in APPS:
    packages += [app] + [f"{app}.{name}" for name in find_namespace_packages(app, exclude=EXCLUDE)]

setup(packages=packages)
