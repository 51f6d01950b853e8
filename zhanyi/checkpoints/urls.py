from django.urls import path

from . import pickers, views

app_name = "checkpoints"

urlpatterns = [
    path("", views.home, name="home"),
    path("check/", views.check_page, name="check-page"),
    path("checks/<int:check_id>/", views.check_detail, name="check"),
    path("stations/<int:station_id>/", views.station_detail, name="station"),
    path("days/", views.days, name="days"),
    path("vessels/", views.vessels, name="vessels"),
    path("pick/areas/", pickers.pick_area, name="pick-area"),
]
