from django.urls import path

from branding import views

app_name = "branding"
urlpatterns = [
    path("", views.settings_page, name="settings"),
    path("image/", views.upload_image, name="upload"),
    path("image/header/remove/", views.remove_header, name="remove-header"),
    path("domains/", views.add_domain, name="add-domain"),
    path("domains/<int:domain_id>/verify/", views.verify_domain, name="verify-domain"),
    path("domains/<int:domain_id>/remove/", views.remove_domain, name="remove-domain"),
    path("assets/<str:name>", views.asset, name="asset"),
]
