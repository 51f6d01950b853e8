from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HandoffsConfig(AppConfig):
    """Hand-offs (工作交接): the work one task force passes to another, and test schedules."""

    name = "zhanyi.handoffs"
    verbose_name = _("Hand-offs")
