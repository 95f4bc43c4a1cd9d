from django.urls import path

from transmission import views

app_name = "transmission-operator"
urlpatterns = [
    path("", views.deliveries, name="list"),
    path("<int:pk>/retry/", views.retry, name="retry"),
]
