"""Which accounts and audit events a user may see.

The rule for both (documented in ``docs/security.md``):

- a superuser sees everything;
- otherwise the user needs the capability (``manage_users``, ``view_audit``)
  and sees what lies inside their jurisdiction: accounts whose jurisdiction is
  in the subtree; audit events whose actor worked in the subtree when acting,
  or whose object belongs to an area in the subtree;
- things with no area at all (accounts without a jurisdiction, command-line
  and anonymous events) are seen only by users whose jurisdiction is a root of
  the area tree, i.e. the whole city.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.http import Http404

from zhanyi.core.models import AuditEvent
from zhanyi.places.models import Area

from .models import StaffImport, TaskForce, User
from .roles import has_capability


def _root(user: User) -> tuple[str, bool] | None:
    """(path prefix, covers things without an area), or None for nothing."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return "", True
    if user.jurisdiction_id is None:
        return None
    area = user.jurisdiction
    return area.path, area.parent_id is None


# Accounts -----------------------------------------------------------------------


def manageable_users(actor: User) -> QuerySet[User]:
    """Accounts that ``actor`` may see and change in user administration."""
    root = _root(actor) if has_capability(actor, "manage_users") else None
    if root is None:
        return User.objects.none()
    path, whole = root
    users = User.objects.select_related("jurisdiction", "task_force__headquarters")
    if path == "":
        return users
    inside = Q(jurisdiction__path__startswith=path)
    if whole:
        inside |= Q(jurisdiction__isnull=True)
    # Only a superuser manages a superuser.
    return users.filter(inside, is_superuser=False)


def can_manage_user(actor: User, target: User) -> bool:
    return manageable_users(actor).filter(pk=target.pk).exists()


def assignable_areas(actor: User) -> QuerySet[Area]:
    """Areas ``actor`` may give as a jurisdiction: their own subtree."""
    root = _root(actor) if has_capability(actor, "manage_users") else None
    if root is None:
        return Area.objects.none()
    return Area.objects.filter(path__startswith=root[0])


def can_assign_area(actor: User, area: Area) -> bool:
    root = _root(actor) if has_capability(actor, "manage_users") else None
    return root is not None and area.path.startswith(root[0])


def get_user_for_admin(actor: User, pk: int) -> User:
    """The account, if ``actor`` may manage it; 404 otherwise (no probing)."""
    try:
        return manageable_users(actor).get(pk=pk)
    except User.DoesNotExist:
        raise Http404("no such account") from None


def search_users(
    users: QuerySet[User], *, q: str = "", role: str = "", active: str = ""
) -> QuerySet[User]:
    if q:
        users = users.filter(
            Q(username__icontains=q)
            | Q(first_name__icontains=q)
            | Q(last_name__icontains=q)
            | Q(jurisdiction__name__icontains=q)
        )
    if role:
        users = users.filter(role=role)
    if active in {"yes", "no"}:
        users = users.filter(is_active=active == "yes")
    return users.order_by("jurisdiction__path", "username")


# Audit events ---------------------------------------------------------------------


def visible_audit_events(viewer: User) -> QuerySet[AuditEvent]:
    root = _root(viewer) if has_capability(viewer, "view_audit") else None
    if root is None:
        return AuditEvent.objects.none()
    path, whole = root
    events = AuditEvent.objects.all()
    if path == "":
        return events
    inside = Q(actor_path__startswith=path) | Q(area_path__startswith=path)
    if whole:
        inside |= Q(actor_path="", area_path="")
    return events.filter(inside)


def filter_audit_events(
    events: QuerySet[AuditEvent],
    *,
    object_type: str = "",
    object_id: str = "",
    actor: str = "",
    action: str = "",
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> QuerySet[AuditEvent]:
    """Filters shared by the web page and the API. ``action`` matches a prefix
    when it ends with a dot (``"login."``), exactly otherwise."""
    if object_type:
        events = events.filter(object_type=object_type)
    if object_id:
        events = events.filter(object_id=object_id)
    if actor:
        events = events.filter(actor_name=actor)
    if action:
        events = (
            events.filter(action__startswith=action)
            if action.endswith(".")
            else events.filter(action=action)
        )
    if since is not None:
        events = events.filter(at__gte=since)
    if until is not None:
        events = events.filter(at__lt=until)
    return events.order_by("-at", "-id")


# Task forces ----------------------------------------------------------------------


def task_force_over(area: Area, kind: str) -> TaskForce | None:
    """The task force of ``kind`` at the nearest headquarters over (or at) ``area``."""
    candidates = TaskForce.objects.filter(
        kind=kind, headquarters__area__in=area.ancestors()
    ).select_related("headquarters__area")
    return max(candidates, key=lambda tf: len(tf.headquarters.area.path), default=None)


# Staff imports --------------------------------------------------------------------


def staff_imports_for(actor: User) -> QuerySet[StaffImport]:
    """Staff files loaded inside ``actor``'s jurisdiction (those loaded on the command
    line, with no area, by users of the whole city), newest first."""
    root = _root(actor) if has_capability(actor, "manage_users") else None
    if root is None:
        return StaffImport.objects.none()
    path, whole = root
    imports = StaffImport.objects.select_related("area")
    if path == "":
        return imports
    inside = Q(area__path__startswith=path)
    if whole:
        inside |= Q(area__isnull=True)
    return imports.filter(inside)


def get_staff_import_for_user(actor: User, pk: int) -> StaffImport:
    try:
        return staff_imports_for(actor).get(pk=pk)
    except StaffImport.DoesNotExist:
        raise Http404("no such staff import") from None
