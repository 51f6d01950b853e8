from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuppliesConfig(AppConfig):
    """Protective supplies (防疫物资): stocks, movements, days of cover, requests."""

    name = "zhanyi.supplies"
    verbose_name = _("Supplies")
