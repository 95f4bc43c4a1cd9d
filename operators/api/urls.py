"""``/api/v1/operator/`` on the platform host."""

from django.urls import path

from operators.api import catalog_views, views

urlpatterns = [
    path("tenants/", views.TenantListView.as_view(), name="operator-tenant-list"),
    path("tenants/<slug:slug>/", views.TenantDetailView.as_view(), name="operator-tenant-detail"),
    path("tenants/<slug:slug>/suspend/", views.SuspendView.as_view(), name="operator-tenant-suspend"),
    path("tenants/<slug:slug>/reactivate/", views.ReactivateView.as_view(), name="operator-tenant-reactivate"),
    path("tenants/<slug:slug>/migrate/", views.MigrateView.as_view(), name="operator-tenant-migrate"),
    path("tenants/<slug:slug>/export/", views.ExportView.as_view(), name="operator-tenant-export"),
    path("tenants/<slug:slug>/offboard/", views.OffboardView.as_view(), name="operator-tenant-offboard"),
    path("audit/", views.AuditListView.as_view(), name="operator-audit-list"),
    path("billing/figures/", views.BillingFiguresView.as_view(), name="operator-billing-figures"),
    path("audit.csv", views.AuditCsvView.as_view(), name="operator-audit-csv"),
    path("catalog/services/", catalog_views.CatalogServiceListView.as_view(), name="operator-catalog-list"),
    path(
        "catalog/services/<slug:slug>/versions/",
        catalog_views.DraftVersionView.as_view(),
        name="operator-catalog-draft",
    ),
    path(
        "catalog/services/<slug:slug>/versions/<int:number>/publish/",
        catalog_views.PublishVersionView.as_view(),
        name="operator-catalog-publish",
    ),
    path(
        "catalog/services/<slug:slug>/versions/<int:number>/retire/",
        catalog_views.RetireVersionView.as_view(),
        name="operator-catalog-retire",
    ),
]
