from rest_framework.routers import SimpleRouter

from activations.api import views

app_name = "activations-api"
router = SimpleRouter()
router.register("activations", views.ActivationViewSet, basename="activation")
urlpatterns = router.urls
