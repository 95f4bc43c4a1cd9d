"""The staff page of a commune's administration."""

from django.urls import path

from accounts import views

app_name = "staff"
urlpatterns = [path("", views.staff_list, name="list")]
