from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuarantineConfig(AppConfig):
    """Quarantine and transfer (隔离转运): sites, rooms, the queue, placements, release."""

    name = "zhanyi.quarantine"
    verbose_name = _("Quarantine and transfer")
