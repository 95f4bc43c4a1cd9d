from django.urls import path

from activations import views

app_name = "manage-services"
urlpatterns = [
    path("", views.service_list, name="list"),
    path("<slug:slug>/aktivieren/", views.activate, name="activate"),
    path("<slug:slug>/", views.edit, name="edit"),
    path("<slug:slug>/texte/", views.texts, name="texts"),
    path("<slug:slug>/deaktivieren/", views.deactivate, name="deactivate"),
    path("<slug:slug>/reaktivieren/", views.reactivate, name="reactivate"),
    path("<slug:slug>/aktualisieren/", views.upgrade, name="upgrade"),
]
