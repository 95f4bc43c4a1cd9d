from django.urls import path

from appointments import staff

app_name = "appointments-staff"
urlpatterns = [
    path("", staff.setup, name="setup"),
    path("schalter/<int:resource_id>/", staff.day_plan, name="day-plan"),
    path("buchung/<int:pk>/", staff.booking_detail, name="booking"),
]
