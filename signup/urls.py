"""Signup pages on the platform host."""

from django.urls import path

from signup import views

app_name = "signup"
urlpatterns = [
    path("signup/", views.start, name="start"),
    path("signup/apply/<str:ags>/", views.apply, name="apply"),
    path("signup/submitted/", views.submitted, name="submitted"),
    path("signup/verify/<str:token>/", views.verify, name="verify"),
    path("signup/<uuid:pk>/", views.status, name="status"),
    path("legal/terms/", views.legal_text, {"document": "terms"}, name="terms"),
    path("legal/dpa/", views.legal_text, {"document": "dpa"}, name="dpa"),
    path("operator/signups/", views.review_list, name="review"),
    path("operator/signups/<uuid:pk>/approve/", views.review_approve, name="approve"),
    path("operator/signups/<uuid:pk>/reject/", views.review_reject, name="reject"),
]
