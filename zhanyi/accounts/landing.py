"""Where each user lands after logging in: their own work first.

The commander and leaders land on the command view; a tracer (流调) on their
open cases and deadlines; a sampler (核酸检测) on the scan page; a five-to-one
village team member (五包一) on their task list (我的任务). The pages are named,
not imported: accounts lies below the task-force apps.
"""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from .models import Role, TaskForceKind

COMMAND_VIEW = "command:home"
FIELD_LANDING = "screening:tasks"
LANDING_BY_TASK_FORCE = {
    TaskForceKind.INVESTIGATION: "tracing:home",
    TaskForceKind.TESTING: "testing:scan",
    TaskForceKind.COMMUNITY: "screening:tasks",
}


def landing_page(user) -> str:
    """The name of the page ``user`` starts on."""
    if getattr(user, "role", None) == Role.FIELD:
        return FIELD_LANDING
    if getattr(user, "role", None) == Role.STAFF and user.task_force_id:
        return LANDING_BY_TASK_FORCE.get(user.task_force.kind, COMMAND_VIEW)
    return COMMAND_VIEW


def landing_url(user) -> str:
    try:
        return reverse(landing_page(user))
    except NoReverseMatch:  # an app not installed: the command view is always there
        return reverse(COMMAND_VIEW)
