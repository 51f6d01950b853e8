from django.urls import path

from . import views

app_name = "teams"

urlpatterns = [
    path("", views.team_list, name="list"),
    path("<int:team_id>/", views.team_detail, name="team"),
    path("control/", views.control_list, name="controls"),
    path("control/<int:handoff_id>/", views.control_detail, name="control"),
]
