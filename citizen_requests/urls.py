from django.urls import path

from citizen_requests import views

app_name = "inbox"
urlpatterns = [
    path("", views.inbox, name="list"),
    path("<str:tracking_number>/", views.detail, name="detail"),
    path("<str:tracking_number>/anhang/<uuid:attachment_id>/", views.attachment, name="attachment"),
]
