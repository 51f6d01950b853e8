from django.urls import path

from . import views

app_name = "vaccination"

urlpatterns = [
    path("", views.home, name="home"),
    path("record/", views.record, name="record"),
    path("appointments/", views.appointments, name="appointments"),
    path("imports/<int:import_id>/", views.import_detail, name="import"),
]
