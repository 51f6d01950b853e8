from django.urls import path

from . import views

app_name = "zones"

urlpatterns = [
    path("", views.home, name="home"),
    path("<int:zone_id>/", views.zone_detail, name="zone"),
    path("<int:zone_id>/notices/<int:event_id>.pdf", views.notice_pdf, name="notice"),
]
