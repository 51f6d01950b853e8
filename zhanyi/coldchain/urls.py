from django.urls import path

from . import views

app_name = "coldchain"

urlpatterns = [
    path("", views.home, name="home"),
    path("batches/<int:batch_id>/", views.batch_detail, name="batch"),
    path("imports/<int:run_id>/", views.import_detail, name="import"),
    path("imports/<int:run_id>/errors.xlsx", views.import_errors, name="import-errors"),
]
