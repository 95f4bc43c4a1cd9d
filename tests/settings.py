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
