from django.urls import path

from .views import (
    curve,
    dashboard,
    directives,
    drills,
    headquarters,
    meetings,
    plans,
    reports,
    screen,
    setup,
    supervision,
)

app_name = "command"

urlpatterns = [
    path("", dashboard.home, name="home"),
    path("figures/", dashboard.figures_fragment, name="figures"),
    path("curve/", curve.curve_page, name="curve"),
    path("screen/", screen.big_screen, name="screen"),
    path("reports/", reports.report_list, name="report-list"),
    path("reports/<int:pk>/", reports.report_detail, name="report-detail"),
    path("reports/<int:pk>/<str:fmt>/", reports.report_file, name="report-file"),
    path("headquarters/", headquarters.headquarters_list, name="headquarters-list"),
    path("headquarters/<int:pk>/", headquarters.headquarters_detail, name="headquarters"),
    path("supervision/", supervision.ledger, name="supervision"),
    path("supervision/groups/", supervision.groups, name="groups"),
    path("supervision/groups/<int:pk>/", supervision.group_detail, name="group"),
    path("supervision/visits/<int:pk>/", supervision.visit_detail, name="visit"),
    path("supervision/accountability/", supervision.accountability, name="accountability"),
    path("directives/", directives.directive_list, name="directives"),
    path("directives/<int:pk>/", directives.directive_detail, name="directive"),
    path("directives/<int:pk>/evidence/", directives.evidence_file, name="directive-evidence"),
    path("meetings/", meetings.meeting_list, name="meetings"),
    path("meetings/<int:pk>/", meetings.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/<str:fmt>/", meetings.meeting_file, name="meeting-file"),
    path("plans/", plans.plan_list, name="plans"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan"),
    path("drills/", drills.drill_list, name="drills"),
    path("drills/<slug:name>/", drills.drill_detail, name="drill"),
    path("setup/", setup.first_day, name="setup"),
    path("setup/areas/", setup.load_file, {"kind": "areas"}, name="setup-load-areas"),
    path(
        "setup/boundaries/", setup.load_file, {"kind": "boundaries"}, name="setup-load-boundaries"
    ),
    path("setup/places/", setup.load_file, {"kind": "places"}, name="setup-load-places"),
    path("setup/loads/<int:data_load_id>/", setup.load_detail, name="setup-load"),
    path("setup/loads/<int:data_load_id>/errors.xlsx", setup.load_errors, name="setup-load-errors"),
]
