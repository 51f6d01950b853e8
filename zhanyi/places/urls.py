from django.urls import path

from . import views

app_name = "places"

urlpatterns = [
    path("", views.area_list, name="area-list"),
    path("<str:code>/", views.area_detail, name="area-detail"),
]
