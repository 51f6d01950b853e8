from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared ground: jurisdiction helpers, masking, metrics, the bench runner."""

    name = "zhanyi.core"
    verbose_name = "Core"

    def ready(self) -> None:
        from . import metrics

        metrics.discover()
