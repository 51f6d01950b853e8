from django.urls import path

from . import views

app_name = "clinics"

urlpatterns = [
    path("", views.home, name="home"),
    path("<int:clinic_id>/", views.clinic, name="clinic"),
    path("visits/<int:visit_id>/", views.visit, name="visit"),
    path("pharmacies/", views.pharmacies, name="pharmacies"),
]
