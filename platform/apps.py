"""The Django project package as an app: shared templates, static files and commands."""

from pathlib import Path

from django.apps import AppConfig


class KommunalConfig(AppConfig):
    name = "kommunal"
    verbose_name = "Kommunal"
    # ``kommunal`` is a namespace package (``platform/`` has no ``__init__.py``), so Django
    # cannot infer its directory.
    path = str(Path(__file__).resolve().parent)
