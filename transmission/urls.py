from django.urls import path

from transmission import views

app_name = "transmission"
urlpatterns = [path("<slug:slug>/", views.route, name="route")]
