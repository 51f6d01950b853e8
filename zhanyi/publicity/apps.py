from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicityConfig(AppConfig):
    """Publicity (宣传): press conferences, public notices, media reports, public opinion."""

    name = "zhanyi.publicity"
    verbose_name = _("Publicity")
