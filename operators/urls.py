"""``/operator/`` on the platform host: the operator console."""

from django.urls import path

from operators import catalog_views, views

app_name = "operators"
urlpatterns = [
    path("", views.tenant_list, name="tenants"),
    path("2fa/enrol/<str:key>/", views.enrol, name="enrol"),
    path("2fa/verify/", views.otp_verify, name="otp-verify"),
    path("tenants/<slug:slug>/", views.tenant_detail, name="tenant-detail"),
    path("tenants/<slug:slug>/figures/refresh/", views.tenant_refresh_figures, name="tenant-refresh-figures"),
    path("tenants/<slug:slug>/exports/<str:name>", views.export_download, name="export-download"),
    path("tenants/<slug:slug>/<slug:action>/", views.tenant_action, name="tenant-action"),
    path("audit/", views.audit_log, name="audit"),
    path("audit.csv", views.audit_csv, name="audit-csv"),
    path("usage/", views.usage, name="usage"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
    path("team/", views.team, name="team"),
    path("team/<int:pk>/invite/", views.invite, name="invite"),
    path("catalog/", catalog_views.catalog_list, name="catalog"),
    path("catalog/<slug:slug>/", catalog_views.catalog_service, name="catalog-service"),
    path("catalog/<slug:slug>/draft/", catalog_views.catalog_draft, name="catalog-draft"),
    path(
        "catalog/<slug:slug>/versions/<int:number>/publish/",
        catalog_views.catalog_version_action,
        {"action": "publish"},
        name="catalog-publish",
    ),
    path(
        "catalog/<slug:slug>/versions/<int:number>/retire/",
        catalog_views.catalog_version_action,
        {"action": "retire"},
        name="catalog-retire",
    ),
]
