from django.urls import path

from portal.api import views

app_name = "portal-api"
urlpatterns = [
    path("commune/", views.CommuneProfileView.as_view(), name="commune"),
]
