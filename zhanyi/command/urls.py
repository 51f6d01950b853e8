from django.urls import path

from .views import curve, dashboard, reports, screen

app_name = "command"

urlpatterns = [
    path("", dashboard.home, name="home"),
    path("figures/", dashboard.figures_fragment, name="figures"),
    path("curve/", curve.curve_page, name="curve"),
    path("screen/", screen.big_screen, name="screen"),
    path("reports/", reports.report_list, name="report-list"),
    path("reports/<int:pk>/", reports.report_detail, name="report-detail"),
    path("reports/<int:pk>/<str:fmt>/", reports.report_file, name="report-file"),
]
