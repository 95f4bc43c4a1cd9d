"""WSGI entry point (gunicorn ``kommunal.wsgi:application``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kommunal.settings")
application = get_wsgi_application()
