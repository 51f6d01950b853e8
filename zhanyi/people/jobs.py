"""Background jobs of the person index (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from zhanyi.core.audit import SystemActor


@task()
def refresh_codes() -> dict:
    """Health codes (健康码): apply what the clock changed (see ``do_refresh_codes``).
    Enqueue it on a schedule; running it twice changes nothing the second time."""
    from zhanyi.people.actions.health_codes import do_refresh_codes

    result = do_refresh_codes(acting_user=SystemActor("task:refresh_codes"))
    return {
        "expired_overrides": result.expired_overrides,
        "reviewed": result.reviewed,
        "changed": result.changed,
    }
