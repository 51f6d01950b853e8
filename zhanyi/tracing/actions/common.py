"""What every tracing write shares: the access check, the audit label, code recomputation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from zhanyi.accounts.roles import has_capability
from zhanyi.core import audit, jurisdiction
from zhanyi.core.audit import SystemActor
from zhanyi.core.masking import mask_name
from zhanyi.engine.protocol import Protocol, load_protocol
from zhanyi.people.actions.health_codes import do_recompute_codes
from zhanyi.places.models import Area

_PROTOCOLS: dict[str, Protocol] = {}


def protocol(name: str) -> Protocol:
    """The named protocol file, read once per process."""
    if name not in _PROTOCOLS:
        _PROTOCOLS[name] = load_protocol(name)
    return _PROTOCOLS[name]


def require(acting_user: Any, capability: str, area: Area | None) -> None:
    """The actor needs ``capability`` and ``area`` inside their jurisdiction.

    A ``SystemActor`` (the command line, the demo) is the operator of the
    installation and passes.
    """
    if isinstance(acting_user, SystemActor):
        return
    if not has_capability(acting_user, capability):
        raise PermissionDenied(f"requires {capability}")
    if not jurisdiction.can_see_area(acting_user, area):
        raise PermissionDenied("outside your jurisdiction")


def audit_case(action: str, *, acting_user, case, request=None, detail: dict | None = None):
    return audit.record(
        actor=acting_user,
        action=action,
        obj=case,
        object_label=f"{case} {mask_name(case.person.name)}",
        detail=detail or {},
        request=request,
        area=case.area,
    )


def aware(value: dt.datetime, name: str) -> dt.datetime:
    if timezone.is_naive(value):
        raise ValueError(f"{name} must be timezone-aware")
    return value


def recompute_codes(person_ids, *, reason: str, acting_user) -> int:
    """Recompute the health codes of ``person_ids`` after a tracing fact changed."""
    ids = sorted(set(person_ids))
    if not ids:
        return 0
    return do_recompute_codes(ids, reason=reason, acting_user=acting_user)


def record_case_view(*, acting_user, case, request=None, via: str = "web") -> None:
    """A read of a case's personal data (its page, its contacts) is audited."""
    audit_case(
        "case.view", acting_user=acting_user, case=case, request=request, detail={"via": via}
    )


def record_graph_view(*, acting_user, case, graph: dict, masked: bool, request=None) -> None:
    """The chain graph names the people it draws: audited with how many, and
    whether the names were masked."""
    audit.record(
        actor=acting_user,
        action="tracing.graph.view",
        object_type="tracing.case" if case is not None else "",
        object_id=str(case.pk) if case is not None else "",
        area=case.area if case is not None else None,
        detail={"people": len(graph["nodes"]), "masked": masked},
        request=request,
    )


def record_contacts_view(*, acting_user, contacts, request=None, page: int = 1) -> None:
    """A list of contacts with their phones is a read of personal data: audited with
    the ids shown."""
    audit.record(
        actor=acting_user,
        action="contact.list",
        object_type="tracing.contact",
        detail={"ids": [c.pk for c in contacts], "page": page},
        request=request,
    )
