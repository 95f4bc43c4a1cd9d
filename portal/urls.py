from django.urls import path

from portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("leistungen/<slug:slug>/", views.service_detail, name="service"),
    path("leistungen/<slug:slug>/leichte-sprache/", views.leichte_sprache, name="leichte-sprache"),
    path("leistungen/<slug:slug>/antrag/", views.apply, name="apply"),
    path("antrag/eingegangen/", views.submitted, name="submitted"),
    path("status/", views.status, name="status"),
]
