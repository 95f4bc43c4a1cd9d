"""``/api/v1/`` on the platform host: one include per app."""

from django.urls import include, path

urlpatterns = [
    path("", include("tenants.api.urls")),
    path("", include("signup.api.urls")),
    path("", include("catalog.api.urls")),
    path("operator/", include("operators.api.urls")),
]
