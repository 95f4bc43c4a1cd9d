from django.urls import path

from legal import views

app_name = "legal"
urlpatterns = [path("<str:kind>/", views.page, name="page")]
