from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Benchmarks (``zhanyi bench NAME``): the top layer, it may load any app."""

    name = "zhanyi.bench"
    verbose_name = "Bench"
