from django.apps import AppConfig


class TracingConfig(AppConfig):
    """The tracing task force's app: epidemiological investigation (流调).

    Cases, their trajectories, close contacts and secondary contacts, and the
    spatiotemporal companions (时空伴随) found by the engine
    (``zhanyi.engine.companions``, command ``zhanyi companions``).
    """

    name = "zhanyi.tracing"
    verbose_name = "Tracing"

    def ready(self) -> None:
        # Registers the receiver of testing's positive results
        # (``zhanyi.handoffs.receivers``: case_report work).
        from . import actions  # noqa: F401
