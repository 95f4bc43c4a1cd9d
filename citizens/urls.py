from django.urls import path

from citizens import views

app_name = "citizens"
urlpatterns = [
    path("anmelden/", views.login, name="login"),
    path("anmelden/rueckkehr/", views.callback, name="callback"),
    path("abmelden/", views.logout, name="logout"),
    path("antraege/", views.my_requests, name="requests"),
    path("antraege/<str:tracking_number>/", views.request_detail, name="request"),
    path("antraege/<str:tracking_number>/daten.json", views.download_data, name="download"),
    path("postfach/", views.mailbox, name="mailbox"),
    path("postfach/anhang/<int:message_id>/", views.attachment, name="attachment"),
    path("konto/", views.account, name="account"),
]
