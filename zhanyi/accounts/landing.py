"""Where each user lands after logging in: their own work first.

The commander and leaders land on the command view; a tracer (流调) on their
open cases and deadlines; a sampler (核酸检测) on the scan page; a five-to-one
village team member (五包一) on their task list (我的任务); a checkpoint officer
(封控, in the field) on the phone's check form; a driver (转运) on their trips;
a task force's desk on its own app's page. The pages are named, not imported:
accounts lies below the task-force apps.
"""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .models import Role, TaskForceKind

COMMAND_VIEW = "command:home"
FIELD_LANDING = "screening:tasks"
#: A desk's first page, by its task force (staff).
LANDING_BY_TASK_FORCE = {
    TaskForceKind.INVESTIGATION: "tracing:home",
    TaskForceKind.TESTING: "testing:scan",
    TaskForceKind.COMMUNITY: "screening:tasks",
    TaskForceKind.LOCKDOWN: "zones:home",
    TaskForceKind.QUARANTINE: "quarantine:home",
    TaskForceKind.TRANSFER: "quarantine:trips",
    TaskForceKind.LOGISTICS: "supplies:home",
    TaskForceKind.SUPERVISION: "command:supervision",
    TaskForceKind.PUBLIC_OPINION: "publicity:home",
}
#: A phone's first page in the field, by task force (else the task list).
FIELD_LANDING_BY_TASK_FORCE = {
    TaskForceKind.TESTING: "testing:scan",
    TaskForceKind.LOCKDOWN: "checkpoints:check-page",
    TaskForceKind.TRANSFER: "quarantine:driver",
}

#: The phone's first tab, named after the field work it opens.
FIELD_TAB_LABELS = {
    FIELD_LANDING: _("My tasks"),
    "testing:scan": _("Scan tubes"),
    "checkpoints:check-page": _("Record a check"),
    "quarantine:driver": _("My trips"),
}


def landing_page(user) -> str:
    """The name of the page ``user`` starts on."""
    role = getattr(user, "role", None)
    kind = user.task_force.kind if getattr(user, "task_force_id", None) else None
    if role == Role.FIELD:
        return FIELD_LANDING_BY_TASK_FORCE.get(kind, FIELD_LANDING)
    if role == Role.STAFF and kind:
        return LANDING_BY_TASK_FORCE.get(kind, COMMAND_VIEW)
    return COMMAND_VIEW


def landing_url(user) -> str:
    try:
        return reverse(landing_page(user))
    except NoReverseMatch:  # an app not installed: the command view is always there
        return reverse(COMMAND_VIEW)
