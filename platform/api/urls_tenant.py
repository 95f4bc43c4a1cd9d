"""``/api/v1/`` on a commune's host: one include per app."""

from django.urls import include, path

urlpatterns = [
    path("", include("accounts.api.urls")),
    path("", include("portal.api.urls")),
    path("", include("catalog.api.urls")),
    path("", include("activations.api.urls")),
    path("", include("citizen_requests.api.urls")),
    path("", include("integrations.api.urls")),
    path("", include("appointments.api.urls")),
]
