from django.urls import path
from rest_framework.routers import SimpleRouter

from appointments.api import views

app_name = "appointments-api"
router = SimpleRouter()
router.register("appointments/bookings", views.BookingViewSet, basename="booking")
urlpatterns = [path("appointments/slots/", views.SlotListView.as_view(), name="slot-list"), *router.urls]
