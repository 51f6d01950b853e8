"""Jurisdiction: which part of the area tree a user may see.

Every list and object that carries personal data is filtered through here.
Deny by default: a user without a jurisdiction sees nothing; only a superuser
sees everything without one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet

if TYPE_CHECKING:
    from zhanyi.accounts.models import User
    from zhanyi.places.models import Area

M = TypeVar("M", bound=Model)


def root_path(user: User) -> str | None:
    """The path prefix the user may see, '' for everything, None for nothing."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return ""
    if user.jurisdiction_id is None:
        return None
    # The jurisdiction is cached on the user object for the request.
    return user.jurisdiction.path


def scope(queryset: QuerySet[M], user: User, path_field: str) -> QuerySet[M]:
    """Filter ``queryset`` to rows whose area (reached by ``path_field``, e.g.
    ``"village__path"``) lies in the user's jurisdiction."""
    path = root_path(user)
    if path is None:
        return queryset.none()
    if path == "":
        return queryset
    return queryset.filter(Q(**{f"{path_field}__startswith": path}))


def can_see_area(user: User, area: Area | None) -> bool:
    path = root_path(user)
    if path is None:
        return False
    if path == "":
        return True
    return area is not None and area.path.startswith(path)


def require_area(user: User, area: Area | None) -> None:
    if not can_see_area(user, area):
        raise PermissionDenied("outside your jurisdiction")
