from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    """Hospital care (定点医院救治): designated hospitals and their wards, a case's
    admission, condition, transfer and discharge, and the health monitoring after it."""

    name = "zhanyi.care"
    verbose_name = _("Hospital care")
