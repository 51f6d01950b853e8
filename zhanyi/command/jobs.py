"""Background jobs of the headquarters (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from zhanyi.core.audit import SystemActor


@task()
def prepare_drill(drill_id: int, account: dict | None) -> str:
    """Make a drill's database and load its scenario (minutes for the demo),
    started from a page or the API; the drill's page shows its state."""
    from zhanyi.command.actions.drills import (
        do_prepare_drill,
    )  # the worker's import, not the page's
    from zhanyi.command.models import Drill

    drill = Drill.objects.get(pk=drill_id)
    drill = do_prepare_drill(drill, acting_user=SystemActor("task:prepare_drill"), account=account)
    return drill.state
