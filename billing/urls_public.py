"""Billing on the platform host: Stripe's webhook and the operators' overview."""

from django.urls import path

from billing import views

app_name = "billing_public"
urlpatterns = [
    path("billing/stripe/webhook/", views.stripe_webhook, name="stripe-webhook"),
    path("operator/billing/", views.operator_overview, name="operator-overview"),
    path("operator/billing/invoices/<int:pk>/send-xrechnung/", views.operator_send_xrechnung, name="send-xrechnung"),
]
