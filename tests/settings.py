"""Settings for the test suite: Kommunal's own, with a throw-away database when none is given."""

import os

os.environ.setdefault("KOMMUNAL_TESTING", "1")
os.environ.setdefault("KOMMUNAL_EMBEDDED_DB", "ephemeral")

from kommunal.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
# The test client speaks plain HTTP; production's HTTPS redirect is asserted in test_settings.py.
SECURE_SSL_REDIRECT = False
# Tests deliver webhooks to receivers on 127.0.0.1; the SSRF guard is tested with this turned off.
KOMMUNAL_WEBHOOKS_ALLOW_PRIVATE = True
# The whole suite calls the API from one address; throttling is tested with its own low limits.
KOMMUNAL_API_RATES = {"key": 100_000, "user": 100_000, "anon": 100_000}
