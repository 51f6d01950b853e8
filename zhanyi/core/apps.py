from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


def create_cache_tables(using: str = "default", **kwargs) -> None:
    """``migrate`` also creates the database cache's table (``zhanyi_cache``)
    when the cache lives in the database: the login throttle and the figures
    the dashboards share read it from the first request on."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class CoreConfig(AppConfig):
    """Shared ground: jurisdiction helpers, masking, the audit trail, metrics, periodic jobs."""

    name = "zhanyi.core"
    verbose_name = "Core"

    def ready(self) -> None:
        from . import clock, metrics

        # The demo's story clock, in every process of a demo installation.
        clock.follow()
        from .fastpath import statements

        metrics.discover()
        # The fast paths' prepared statements (``fastpath.statements.cursor``).
        connection_created.connect(
            statements.prepare_connection, dispatch_uid="zhanyi.core.fastpath"
        )
        post_migrate.connect(create_cache_tables, sender=self)
