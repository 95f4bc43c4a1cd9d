"""Production defaults are safe; development mode has to be asked for."""

import json
import os
import subprocess
import sys

PRINT_SETTINGS = """
import json
from django.conf import settings
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": settings.CSRF_COOKIE_SECURE,
    "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
    "SECURE_HSTS_SECONDS": settings.SECURE_HSTS_SECONDS,
    "ALLOWED_HOSTS": list(settings.ALLOWED_HOSTS),
}))
"""


def _settings_with(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("KOMMUNAL_", "DJANGO_"))}
    clean.update(DJANGO_SETTINGS_MODULE="kommunal.settings", DATABASE_URL="postgres://nobody@localhost/none", **env)
    return subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS], env=clean, capture_output=True, text=True, check=False
    )


def test_production_defaults_are_safe() -> None:
    result = _settings_with(DJANGO_SECRET_KEY="s" * 50, KOMMUNAL_DOMAIN="kommunal.example.de")
    values = json.loads(result.stdout)
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["ALLOWED_HOSTS"] == ["kommunal.example.de", ".kommunal.example.de"]


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = _settings_with()
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_development_mode_is_explicit_and_plain_http() -> None:
    values = json.loads(_settings_with(KOMMUNAL_DEV="1").stdout)
    assert values["DEBUG"] is True
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SESSION_COOKIE_SECURE"] is False
