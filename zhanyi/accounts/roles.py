"""What each role (角色) may do: the capability table.

A capability says *what* a user may do; the jurisdiction (管辖范围) says *where*
(see ``zhanyi.core.jurisdiction``). A view needs both: a capability check and a
jurisdiction filter. Deny by default: an anonymous or inactive user has no
capability; a superuser has them all.

Decisions recorded here (and in ``docs/security.md``):

- ``view_identity``: full identity numbers *and* phones. Commanders, task-force
  staff and administrators only. Leaders never.
- ``view_phone``: full phone numbers only. Everyone with ``view_identity`` plus
  five-to-one team members (五包一), who must ring the people of their village to
  find them within the two-hour deadline; their jurisdiction is their village,
  so "the phones of persons in their village" follows from scoping.
- Leaders are read-only: no capability that writes.
- Administrators run accounts and read the audit trail; they do not do case
  work, so they cannot edit or merge persons.
- ``export`` means downloading lists that carry personal data. Aggregated
  reports (the twice-daily report, the dashboard) need no capability beyond
  being logged in with a jurisdiction.

Unknown capability names raise ``UnknownCapability``, so a typo fails loudly in
tests instead of silently denying (or granting) access.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from zhanyi.core import jurisdiction

from .models import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest, HttpResponse

    from .models import User


class UnknownCapability(ValueError):
    """A capability name that is not in ``CAPABILITIES`` (a typo, usually)."""


# Every capability with a one-line meaning; docs/security.md shows the same table.
CAPABILITIES: dict[str, Any] = {
    "view_person": _("open person pages and lists (identity numbers and phones masked)"),
    "view_identity": _("see full identity numbers and phones"),
    "view_phone": _("see full phone numbers (identity numbers stay masked)"),
    "edit_person": _("change a person's data, record screening and tracing outcomes"),
    "merge_person": _("merge duplicate records in the person index"),
    "edit_operations": _("create and change operational records (tasks, samples, placements)"),
    "approve": _("take headquarters decisions: approve zones, issue directives"),
    "export": _("download lists that carry personal data"),
    "view_audit": _("read the audit trail"),
    "manage_users": _("create, change and deactivate user accounts"),
}

_ALL = frozenset(CAPABILITIES)

ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.COMMANDER: frozenset(
        {
            "view_person",
            "view_identity",
            "view_phone",
            "edit_person",
            "merge_person",
            "edit_operations",
            "approve",
            "export",
            "view_audit",
        }
    ),
    Role.STAFF: frozenset(
        {
            "view_person",
            "view_identity",
            "view_phone",
            "edit_person",
            "merge_person",
            "edit_operations",
            "export",
        }
    ),
    Role.FIELD: frozenset({"view_person", "view_phone", "edit_person", "edit_operations"}),
    Role.LEADER: frozenset({"view_person"}),
    Role.ADMIN: frozenset(
        {
            "view_person",
            "view_identity",
            "view_phone",
            "view_audit",
            "manage_users",
        }
    ),
}

assert all(caps <= _ALL for caps in ROLE_CAPABILITIES.values())
assert set(ROLE_CAPABILITIES) == set(Role.values)


def _check_name(capability: str) -> None:
    if capability not in CAPABILITIES:
        raise UnknownCapability(
            f"unknown capability {capability!r}; known: {', '.join(sorted(CAPABILITIES))}"
        )


def capabilities_of(user: User | AnonymousUser | None) -> frozenset[str]:
    """Every capability the user holds now."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return _ALL
    return ROLE_CAPABILITIES.get(getattr(user, "role", ""), frozenset())


def missing_capabilities(user: User | AnonymousUser | None, role: str) -> list[str]:
    """The capabilities ``role`` gives that ``user`` does not hold, sorted.

    Issue 14, finding 11: an administrator (``manage_users``) could make a
    commander, or reset a commander's password, and act as one. Nobody gives a
    role, or acts on an account, holding more than they hold themselves.
    """
    return sorted(ROLE_CAPABILITIES.get(role, frozenset()) - capabilities_of(user))


def has_capability(user: User | AnonymousUser | None, capability: str) -> bool:
    _check_name(capability)
    return capability in capabilities_of(user)


def require_capability(user: User | AnonymousUser | None, capability: str) -> None:
    """Raise ``PermissionDenied`` unless the user holds ``capability``."""
    if not has_capability(user, capability):
        raise PermissionDenied(f"requires the {capability!r} capability")


def capability_required(
    capability: str,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """View decorator: ``@capability_required("view_audit")``."""
    _check_name(capability)

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            require_capability(request.user, capability)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class OperationsPermission(BasePermission):
    """A task force's API: reading needs ``view_person``, writing
    ``edit_operations``, and either needs a jurisdiction."""

    def has_permission(self, request, view) -> bool:
        needed = "view_person" if request.method in SAFE_METHODS else "edit_operations"
        return (
            has_capability(request.user, needed)
            and jurisdiction.root_path(request.user) is not None
        )


def capability_permission(capability: str) -> type[BasePermission]:
    """A DRF permission class: ``permission_classes = [capability_permission("export")]``."""
    _check_name(capability)

    class HasCapability(BasePermission):
        message = f"requires the {capability!r} capability"

        def has_permission(self, request, view) -> bool:
            return has_capability(request.user, capability)

    HasCapability.__name__ = f"HasCapability_{capability}"
    return HasCapability
