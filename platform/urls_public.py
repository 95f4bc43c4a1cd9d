"""URLs of the platform host (``KOMMUNAL_DOMAIN``)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from kommunal import views
from kommunal.api.docs_pages import RedocView, SwaggerView

handler500 = "kommunal.views.server_error"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("health/", views.health, name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("accounts.urls")),
    path("operator/zustellungen/", include("transmission.urls_operator")),
    path("operator/", include("operators.urls")),
    path("api/v1/", include("kommunal.api.urls_public")),
    path("", include("signup.urls")),
    path("api/schema/", SpectacularAPIView.as_view(urlconf="kommunal.urls_public"), name="schema"),
    path("api/docs/", SwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", RedocView.as_view(url_name="schema"), name="redoc"),
    path("", include("billing.urls_public")),
    path("", include("payments.urls_public")),
]

handler400 = "kommunal.views.bad_request"
