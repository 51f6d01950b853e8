from django.urls import path

from . import views

app_name = "command"

urlpatterns = [
    path("", views.home, name="home"),
    path("figures/", views.figures_fragment, name="figures"),
]
