from django.apps import AppConfig


class TracingConfig(AppConfig):
    """The tracing task force: epidemiological investigation (流调溯源)."""

    name = "zhanyi.tracing"
    verbose_name = "Tracing"
