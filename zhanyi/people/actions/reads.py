"""Reads of personal data are recorded too: who searched for whom, who opened a person."""

from __future__ import annotations

from zhanyi.core import audit
from zhanyi.people.models import Person

from .common import audit_person

VIEW_ACTIONS = {"web": "person.view", "api": "person.api_view", "admin": "person.admin_view"}


def record_person_view(*, acting_user, person: Person, request=None, via: str = "web") -> None:
    """One read of a person's record: ``person.view`` (web), ``person.api_view``
    or ``person.admin_view``."""
    audit_person(
        VIEW_ACTIONS[via],
        acting_user=acting_user,
        person=person,
        request=request,
        detail={"merged_into": person.merged_into_id} if person.merged_into_id else {},
    )


def record_person_search(
    *,
    acting_user,
    q: str,
    results: int,
    request=None,
    via: str = "web",
    page: int = 1,
    ids: list[int] | None = None,
) -> None:
    """One search or list of persons: the words searched for, how many matched and
    which persons were shown (a page holds at most 500)."""
    detail = {"q": q, "results": results, "via": via, "page": page}
    if ids is not None:
        detail["ids"] = ids
    audit.record(
        actor=acting_user,
        action="person.search",
        object_type=Person._meta.label_lower,
        detail=detail,
        request=request,
    )
