from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommandConfig(AppConfig):
    """Headquarters (指挥部) and the coordination task force: dashboard, demo."""

    name = "zhanyi.command"
    verbose_name = _("Command")

    def ready(self) -> None:
        # The decisions publicity drafts notices from (zhanyi.publicity.sources).
        from . import notice_sources  # noqa: F401
