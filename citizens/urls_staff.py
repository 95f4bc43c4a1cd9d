from django.urls import path

from citizens import views

app_name = "citizen-messages"
urlpatterns = [
    path("<str:tracking_number>/senden/", views.staff_send, name="send"),
    path("anhang/<int:message_id>/", views.staff_attachment, name="attachment"),
]
