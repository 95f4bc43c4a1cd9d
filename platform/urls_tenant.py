"""URLs of a commune's host (``<slug>.KOMMUNAL_DOMAIN`` and its custom hosts)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from branding.views import BrandedSwaggerView
from kommunal import views
from kommunal.api.docs_pages import RedocView

handler500 = "kommunal.views.server_error"

urlpatterns = [
    path("", include("portal.urls")),
    path("health/", views.health, name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("accounts.urls")),
    path("verwaltung/leistungen/", include("activations.urls")),
    path("verwaltung/anfragen/", include("citizen_requests.urls")),
    path("verwaltung/postfach/", include("citizens.urls_staff")),
    path("buerger/", include("citizens.urls")),
    path("verwaltung/termine/", include("appointments.urls_staff")),
    path("termine/", include("appointments.urls")),
    path("api/v1/", include("kommunal.api.urls_tenant")),
    path("integrations/", include("integrations.urls")),
    path("api/schema/", SpectacularAPIView.as_view(urlconf="kommunal.urls_tenant"), name="schema"),
    path("api/docs/", BrandedSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", RedocView.as_view(url_name="schema"), name="redoc"),
    path("branding/", include("branding.urls")),
    path("verwaltung/rechnungen/", include("billing.urls")),
    path("verwaltung/mitarbeitende/", include("accounts.urls_staff")),
    path("verwaltung/rechtliches/", include("legal.urls_admin")),
    path("rechtliches/", include("legal.urls")),
    path("verwaltung/zustellung/", include("transmission.urls")),
    path("", include("payments.urls")),
]

handler400 = "kommunal.views.bad_request"
