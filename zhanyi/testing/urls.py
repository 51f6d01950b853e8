from django.urls import path

from . import views

app_name = "testing"

urlpatterns = [
    path("", views.home, name="home"),
    path("rounds/<int:round_id>/", views.round_detail, name="round"),
    path("rounds/<int:round_id>/samples/upload/", views.samples_upload, name="samples-upload"),
    path("scan/", views.scan, name="scan"),
    path("scan/submit/", views.scan_submit, name="scan-submit"),
    path("results/upload/", views.upload, name="upload"),
    path("pool-size/", views.pool_size, name="pool-size"),
]
