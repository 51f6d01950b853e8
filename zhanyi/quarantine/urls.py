from django.urls import path, re_path

from . import pickers, selfreport, views

app_name = "quarantine"

urlpatterns = [
    path("", views.home, name="home"),
    path("monitoring/", views.monitoring_list, name="monitoring"),
    path("driver/", views.driver, name="driver"),
    path("trips/", views.trips_board, name="trips"),
    path("pick/rooms/", pickers.pick_room, name="pick-room"),
    path("r/", selfreport.enter_code, name="self-report-code"),
    path("r/<str:token>/", selfreport.report, name="self-report"),
    path("sites/<int:site_id>/", views.site_detail, name="site"),
    path("placements/<int:placement_id>/confirm/", views.confirm_one, name="confirm"),
    re_path(
        r"^placements/(?P<placement_id>[0-9]+)/(?P<kind>notice|certificate)\.pdf$",
        views.placement_document,
        name="document",
    ),
    re_path(
        r"^sites/(?P<site_id>[0-9]+)/(?P<kind>notice|certificate)s\.pdf$",
        views.site_documents,
        name="site-documents",
    ),
]
