from django.urls import path

from . import views

app_name = "publicity"

urlpatterns = [
    path("", views.home, name="home"),
    path("notices/", views.notices, name="notices"),
    path("notices/<int:pk>/", views.notice, name="notice"),
    path("media/", views.media, name="media"),
    path("opinion/", views.opinion, name="opinion"),
    path("opinion/<int:pk>/", views.opinion_item, name="opinion-item"),
]
