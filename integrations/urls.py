from django.urls import path

from integrations import views

app_name = "integrations"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("keys/<int:pk>/revoke/", views.revoke_key, name="revoke-key"),
    path("webhooks/<int:pk>/delete/", views.delete_webhook, name="delete-webhook"),
]
