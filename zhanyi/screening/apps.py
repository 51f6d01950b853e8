from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    """Screening of pushed lists (协查 / 人员排查): from another region's list to
    every person found on the ground by the village's five-to-one team (五包一)."""

    name = "zhanyi.screening"
    verbose_name = _("Screening")
