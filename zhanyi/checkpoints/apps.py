from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckpointsConfig(AppConfig):
    """Traffic checkpoints and ports (交通管控、海上): stations, checks, vessels, patrols."""

    name = "zhanyi.checkpoints"
    verbose_name = _("Checkpoints and ports")
