"""The first day's checks of staff accounts and headquarters (``zhanyi.core.readiness``)."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhanyi.core.readiness import DONE, MISSING, PARTIAL, Status, check

from .models import Headquarters, Role, TaskForce, User


@check(
    "staff",
    gettext_lazy("Staff accounts"),
    order=50,
    url="accounts:staff",
    command="zhanyi user import FILE",
)
def staff() -> Status:
    by_role = dict(
        User.objects.filter(is_active=True, is_superuser=False)
        .values_list("role")
        .annotate(n=Count("id"))
    )
    if not by_role:
        return Status(MISSING, _("No staff accounts yet."))
    summary = "，".join(f"{Role(r).label} {by_role[r]:,}" for r in Role.values if r in by_role)
    if not by_role.get(Role.COMMANDER):
        return Status(PARTIAL, summary, [_("No commander has an account.")])
    return Status(DONE, summary)


@check(
    "headquarters",
    gettext_lazy("Headquarters and task forces"),
    order=60,
    url="command:headquarters-list",
    command="zhanyi headquarters create …",
)
def headquarters() -> Status:
    count = Headquarters.objects.count()
    if not count:
        return Status(MISSING, _("No headquarters is set up."))
    forces = TaskForce.objects.count()
    summary = _("%(hq)s headquarters, %(forces)s task forces") % {"hq": count, "forces": forces}
    return Status(DONE if forces else PARTIAL, summary)
