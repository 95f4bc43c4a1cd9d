from django.urls import path

from accounts.api import views

app_name = "accounts-api"
urlpatterns = [
    path("users/", views.UserListView.as_view(), name="user-list"),
]
