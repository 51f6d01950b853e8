"""What every endpoint of the testing API shares: who may call it, and how a
refused input and a round are answered."""

from __future__ import annotations

from rest_framework import status
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from zhanyi.accounts.roles import has_capability
from zhanyi.core import jurisdiction
from zhanyi.testing.actions.common import InputError
from zhanyi.testing.models import TestingRound


class TestingCapability(BasePermission):
    """Reading needs ``view_person``; writing ``edit_operations``."""

    def has_permission(self, request, view) -> bool:
        needed = (
            "view_person" if request.method in ("GET", "HEAD", "OPTIONS") else "edit_operations"
        )
        return has_capability(request.user, needed) and (
            jurisdiction.root_path(request.user) is not None
        )


PERMISSIONS = [IsAuthenticated, TestingCapability]


def problems_body(error: InputError) -> dict:
    """The 400 body of a refused input: each problem's row, field, code and message."""
    return {"problems": [p.as_dict() for p in error.problems]}


def problems_response(error: InputError) -> Response:
    """A refused input as a 400 answer."""
    return Response(problems_body(error), status=status.HTTP_400_BAD_REQUEST)


def round_dict(r: TestingRound) -> dict:
    """A round as the API shows it."""
    return {
        "id": r.pk,
        "name": r.name,
        "kind": r.kind,
        "area": r.area.code,
        "starts_at": r.starts_at,
        "ends_at": r.ends_at,
        "pool_size": r.pool_size,
        "min_age": r.min_age,
        "max_age": r.max_age,
        "schedule": r.schedule_id,
        "number": r.number,
    }
