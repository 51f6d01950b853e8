from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("", views.search, name="search"),
    path("new/", views.create, name="create"),
    path("<int:person_id>/", views.detail, name="detail"),
    path("<int:person_id>/edit/", views.edit, name="edit"),
    path("<int:person_id>/merge/", views.merge, name="merge"),
    path("merges/<int:merge_id>/undo/", views.merge_undo, name="merge-undo"),
]
