from django.urls import path

from payments import views

app_name = "payments"
urlpatterns = [
    path("zahlung/<str:token>/", views.pay, name="pay"),
    path("verwaltung/zahlungen/", views.account, name="account"),
]
