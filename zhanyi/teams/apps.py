from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeamsConfig(AppConfig):
    """The teams that do the work (工作队): tracing, five-to-one, sampling; the control list."""

    name = "zhanyi.teams"
    verbose_name = _("Teams")
