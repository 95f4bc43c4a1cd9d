"""The API conventions as an app: its one table (idempotency records) exists in every schema."""

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "kommunal.api"
    label = "kommunal_api"
    verbose_name = "Kommunal API"
