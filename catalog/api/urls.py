from django.urls import path

from catalog.api import views

app_name = "catalog-api"
urlpatterns = [
    path("catalog/services/", views.ServiceListView.as_view(), name="service-list"),
    path("catalog/services/<slug:slug>/", views.ServiceDetailView.as_view(), name="service-detail"),
]
