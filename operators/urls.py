"""``/operator/`` on the platform host: the operator console."""

from django.urls import path

from operators import views

app_name = "operators"
urlpatterns = [
    path("", views.tenant_list, name="tenants"),
    path("2fa/setup/", views.otp_setup, name="otp-setup"),
    path("2fa/verify/", views.otp_verify, name="otp-verify"),
    path("tenants/<slug:slug>/", views.tenant_detail, name="tenant-detail"),
    path("tenants/<slug:slug>/exports/<str:name>", views.export_download, name="export-download"),
    path("tenants/<slug:slug>/<slug:action>/", views.tenant_action, name="tenant-action"),
    path("audit/", views.audit_log, name="audit"),
    path("audit.csv", views.audit_csv, name="audit-csv"),
    path("usage/", views.usage, name="usage"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
    path("team/", views.team, name="team"),
]
