"""What every endpoint of the person index's API asks of its caller."""

from __future__ import annotations

from rest_framework.permissions import BasePermission, IsAuthenticated

from zhanyi.accounts.roles import has_capability


class PersonCapability(BasePermission):
    """Reading needs ``view_person``, writing ``edit_person``; the jurisdiction
    is applied by the queries (objects outside it answer 404)."""

    capability_for_write = "edit_person"

    def has_permission(self, request, view) -> bool:
        needed = (
            "view_person"
            if request.method in ("GET", "HEAD", "OPTIONS")
            else (getattr(view, "write_capability", self.capability_for_write))
        )
        return has_capability(request.user, needed)


PERMISSIONS = [IsAuthenticated, PersonCapability]
