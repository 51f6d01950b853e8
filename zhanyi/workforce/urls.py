from django.urls import path

from . import views

app_name = "workforce"

urlpatterns = [
    path("", views.home, name="home"),
    path("deployments/<int:deployment_id>/end/", views.end_deployment, name="end-deployment"),
    path("teams/", views.teams, name="teams"),
    path("teams/<int:aid_team_id>/", views.team_step, name="team"),
    path("branches/", views.branches, name="branches"),
    path("roster/", views.roster, name="roster"),
    path("roster/imports/<int:roster_import_id>/errors.xlsx", views.error_file, name="error-file"),
]
