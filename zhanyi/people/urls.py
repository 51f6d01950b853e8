from django.urls import path

from . import pickers
from .views import health_codes, persons, register

app_name = "people"

urlpatterns = [
    path("", persons.search, name="search"),
    path("new/", persons.create, name="create"),
    path("pick/", pickers.pick, name="pick"),
    path("<int:person_id>/", persons.detail, name="detail"),
    path("<int:person_id>/edit/", persons.edit, name="edit"),
    path("<int:person_id>/merge/", persons.merge, name="merge"),
    path("merges/<int:merge_id>/undo/", persons.merge_undo, name="merge-undo"),
    path(
        "<int:person_id>/health-code/override/",
        health_codes.override_request,
        name="override-request",
    ),
    path("health-codes/", health_codes.code_list, name="codes"),
    path("register/", register.loads, name="register"),
    path("register/<int:load_id>/", register.load_detail, name="register-load"),
    path("register/<int:load_id>/errors.xlsx", register.load_errors, name="register-errors"),
    path("health-code/overrides/", health_codes.override_list, name="override-list"),
    path(
        "health-code/overrides/<int:override_id>/",
        health_codes.override_decide,
        name="override-decide",
    ),
]
