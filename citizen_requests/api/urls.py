from rest_framework.routers import SimpleRouter

from citizen_requests.api import views

app_name = "requests-api"
router = SimpleRouter()
router.register("requests", views.RequestViewSet, basename="request")
urlpatterns = router.urls
