from django.urls import path

from tenants.api import views

app_name = "tenants-api"
urlpatterns = [
    path("communes/", views.CommuneListView.as_view(), name="commune-list"),
]
