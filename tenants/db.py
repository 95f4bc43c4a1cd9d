"""Django's default connection, typed as the schema-aware django-tenants backend it is."""

from typing import cast

from django.db import connection as default_connection
from django_tenants.postgresql_backend.base import DatabaseWrapper

connection = cast(DatabaseWrapper, default_connection)
