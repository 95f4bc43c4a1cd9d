from django.urls import path

from appointments import views

app_name = "appointments"
urlpatterns = [
    path("b/<str:token>/", views.manage, name="manage"),
    path("b/<str:token>/verschieben/", views.move, name="move"),
    path("<slug:slug>/", views.pick, name="pick"),
    path("<slug:slug>/warteliste/", views.join_waitlist, name="waitlist"),
]
