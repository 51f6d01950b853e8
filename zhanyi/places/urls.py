from django.urls import path

from . import pickers, views

app_name = "places"

urlpatterns = [
    path("", views.area_list, name="area-list"),
    path("pick/areas/", pickers.pick_area, name="pick-area"),
    path("pick/places/", pickers.pick_place, name="pick-place"),
    path("<str:code>/", views.area_detail, name="area-detail"),
]
