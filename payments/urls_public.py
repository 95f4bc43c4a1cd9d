from django.urls import path

from payments import views

app_name = "payments_public"
urlpatterns = [path("payments/stripe/webhook/", views.stripe_connect_webhook, name="stripe-webhook")]
