"""Reads of codes, audited: one person's code and why, and the list of codes."""

from __future__ import annotations

from zhanyi.core import audit
from zhanyi.people.actions.common import audit_person
from zhanyi.people.models import (
    HealthCode,
    Person,
)


def record_code_view(*, acting_user, person: Person, request=None, via: str = "api") -> None:
    """One read of "what is this person's code and why" (the facts behind it
    are personal data): ``health_code.view`` with where it was read."""
    audit_person(
        "health_code.view",
        acting_user=acting_user,
        person=person,
        request=request,
        detail={"via": via},
    )


def record_code_list(
    *, acting_user, colour: str, results: int, request=None, via: str = "web"
) -> None:
    """One read of the list of red and yellow codes: the filter and how many matched."""
    audit.record(
        actor=acting_user,
        action="health_code.list",
        object_type=HealthCode._meta.label_lower,
        detail={"colour": colour, "results": results, "via": via},
        request=request,
    )
