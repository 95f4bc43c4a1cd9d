"""Billing pages on a commune's host."""

from django.urls import path

from billing import views

app_name = "billing"
urlpatterns = [
    path("", views.invoices, name="invoices"),
    path("<int:pk>/xrechnung.xml", views.xrechnung_download, name="xrechnung"),
]
