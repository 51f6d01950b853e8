from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LivelihoodConfig(AppConfig):
    """Supply assurance (保供): stores and the supply network, staple prices,
    sealed homes' orders carried to the door, special care."""

    name = "zhanyi.livelihood"
    verbose_name = _("Supply assurance")
