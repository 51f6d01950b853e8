from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ZonesConfig(AppConfig):
    """Risk zones (分区分级): sealed, controlled and prevention zones, risk areas."""

    name = "zhanyi.zones"
    verbose_name = _("Risk zones")
