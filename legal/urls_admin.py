from django.urls import path

from legal import views

app_name = "legal-admin"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("<str:kind>/", views.edit, name="edit"),
]
