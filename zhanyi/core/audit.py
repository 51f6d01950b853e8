"""The audit trail (审计日志): who did what, when, to what, and from where.

Every read of a person's page and every change of personal data calls
``record``. Records are append-only twice over: the model refuses to update or
delete one, and database triggers refuse ``UPDATE`` and ``DELETE`` on the
table (see ``zhanyi.core.append_only``).

``object_type`` is the model's ``app_label.model_name`` (``"people.person"``,
``"accounts.user"``) when an object is given, so one object's history is one
``object_type`` + ``object_id`` query.
"""

from __future__ import annotations

import getpass
import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models

from .models import AuditEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest

    from zhanyi.accounts.models import User
    from zhanyi.places.models import Area


@dataclass(frozen=True)
class SystemActor:
    """An actor that is not a user: the command line, a scheduled job."""

    name: str


def cli_actor() -> SystemActor:
    """The actor for ``zhanyi`` commands: ``cli:<operating-system user>``."""
    try:
        who = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, e.g. in a container
        who = "unknown"
    return SystemActor(f"cli:{who}")


def _plain_request(request: Any) -> HttpRequest:
    # A DRF Request wraps the Django one; META lives on the latter.
    return getattr(request, "_request", request)


def _valid_ip(value: str) -> str | None:
    value = value.strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request: Any) -> str | None:
    """The client's address.

    ``REMOTE_ADDR`` unless ``TRUSTED_PROXY_COUNT`` (default 0) says that many
    reverse proxies stand in front of zhanyi; then the address that the
    outermost trusted proxy saw, counted from the right of
    ``X-Forwarded-For``. Entries further left are supplied by the client and
    could be forged, so they are never used.
    """
    meta = _plain_request(request).META
    hops = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if hops > 0:
        forwarded = [p for p in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= hops:
            return _valid_ip(forwarded[-hops])
    return _valid_ip(meta.get("REMOTE_ADDR", ""))


def _actor_fields(actor: User | AnonymousUser | SystemActor | None) -> tuple[User | None, str, str]:
    if isinstance(actor, SystemActor):
        return None, actor.name[:150], ""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None, "", ""
    path = actor.jurisdiction.path if actor.jurisdiction_id else ""
    return actor, actor.get_username()[:150], path


def record(
    *,
    actor: User | AnonymousUser | SystemActor | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_label: str = "",
    detail: dict | None = None,
    request: Any = None,
    area: Area | None = None,
) -> AuditEvent:
    """Write one audit record and return it.

    ``actor`` is the acting ``User``, a ``SystemActor`` (``cli_actor()``), or
    ``None``/an anonymous user (a failed login). ``area`` is the area the
    object belongs to (a person's village): users with ``view_audit`` over
    that area see the event even when the actor works elsewhere.
    """
    event = new_event(
        actor=actor,
        action=action,
        obj=obj,
        object_type=object_type,
        object_id=object_id,
        object_label=object_label,
        detail=detail,
        request=request,
        area=area,
    )
    event.save(force_insert=True)
    return event


def new_event(
    *,
    actor: User | AnonymousUser | SystemActor | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_label: str = "",
    detail: dict | None = None,
    request: Any = None,
    area: Area | None = None,
) -> AuditEvent:
    """The audit record ``record`` writes, not yet written (the scan's fast
    path, ``zhanyi.accounts.fastpath.audit``, writes it with the scan's rows)."""
    user, actor_name, actor_path = _actor_fields(actor)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_label = object_label or str(obj)
    event = AuditEvent(
        actor=user,
        actor_name=actor_name,
        actor_path=actor_path,
        area_path=area.path if area is not None else "",
        action=action[:64],
        object_type=object_type[:64],
        object_id=str(object_id)[:64],
        object_label=object_label[:255],
        detail=detail or {},
    )
    if request is not None:
        plain = _plain_request(request)
        event.ip = client_ip(plain)
        event.user_agent = plain.META.get("HTTP_USER_AGENT", "")[:255]
        event.path = plain.get_full_path()[:255]
    return event
