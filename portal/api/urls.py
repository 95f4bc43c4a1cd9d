from django.urls import path

from portal.api import views

app_name = "portal-api"
urlpatterns = [
    path("commune/", views.CommuneProfileView.as_view(), name="commune"),
    path("services/", views.OfferedServiceListView.as_view(), name="service-list"),
    path("services/<slug:slug>/", views.OfferedServiceDetailView.as_view(), name="service-detail"),
]
