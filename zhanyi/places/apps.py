from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    """Administrative areas (行政区划), management grids and places."""

    name = "zhanyi.places"
    verbose_name = _("Areas and places")
