from django.urls import path

from signup.api import views

app_name = "signup-api"
urlpatterns = [
    path("municipalities/", views.MunicipalityListView.as_view(), name="municipality-list"),
    path("signups/", views.SignupCreateView.as_view(), name="signup-list"),
    path("signups/<uuid:pk>/", views.SignupDetailView.as_view(), name="signup-detail"),
    path("operator/signups/<uuid:pk>/approve", views.SignupApproveView.as_view(), name="signup-approve"),
    path("operator/signups/<uuid:pk>/reject", views.SignupRejectView.as_view(), name="signup-reject"),
]
