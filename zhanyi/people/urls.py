from django.urls import path

from . import views, views_health_codes

app_name = "people"

urlpatterns = [
    path("", views.search, name="search"),
    path("new/", views.create, name="create"),
    path("<int:person_id>/", views.detail, name="detail"),
    path("<int:person_id>/edit/", views.edit, name="edit"),
    path("<int:person_id>/merge/", views.merge, name="merge"),
    path("merges/<int:merge_id>/undo/", views.merge_undo, name="merge-undo"),
    path(
        "<int:person_id>/health-code/override/",
        views_health_codes.override_request,
        name="override-request",
    ),
    path("health-codes/", views_health_codes.code_list, name="codes"),
    path("health-code/overrides/", views_health_codes.override_list, name="override-list"),
    path(
        "health-code/overrides/<int:override_id>/",
        views_health_codes.override_decide,
        name="override-decide",
    ),
]
