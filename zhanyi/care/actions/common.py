"""What the care actions share: who may act and where, the protocol's rule,
times, and the audit record of a patient's change."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.accounts.roles import require_capability
from zhanyi.core import audit
from zhanyi.core.audit import SystemActor
from zhanyi.core.jurisdiction import require_area
from zhanyi.core.masking import mask_name
from zhanyi.engine.protocol import DEFAULT_PROTOCOL, DischargeRule, Protocol, load_protocol
from zhanyi.places.models import Area

_PROTOCOLS: dict[str, Protocol] = {}


def require(
    acting_user: Any, capability: str, area: Area | None = None, *, check_area=True
) -> None:
    """The actor needs ``capability`` and, when ``check_area``, ``area`` inside
    their jurisdiction. A ``SystemActor`` (the command line, the demo, the
    clock) is the operator of the installation and passes."""
    if isinstance(acting_user, SystemActor):
        return
    require_capability(acting_user, capability)
    if check_area:
        require_area(acting_user, area)


def protocol(name: str = "") -> Protocol:
    """The named protocol file (the default when empty), read once per process."""
    if name not in _PROTOCOLS:
        _PROTOCOLS[name] = load_protocol(name or DEFAULT_PROTOCOL)
    return _PROTOCOLS[name]


def rule(name: str = "") -> DischargeRule:
    """The ``[discharge]`` section of the named protocol."""
    return protocol(name).discharge


def local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def when(
    value: dt.datetime | None, field: str, *, not_before: dt.datetime | None = None, what: str = ""
) -> dt.datetime:
    """``value`` (now when None), refused when naive, in the future, or before ``not_before``."""
    now = timezone.now()
    if value is None:
        value = now
    if timezone.is_naive(value):
        raise ValueError(f"{field} must be timezone-aware")
    if value > now + dt.timedelta(minutes=5):
        raise ValidationError({field: _("%(at)s is in the future.") % {"at": local(value)}})
    if not_before is not None and value < not_before:
        raise ValidationError(
            {
                field: _("%(at)s is before %(what)s (%(then)s).")
                % {"at": local(value), "what": what, "then": local(not_before)}
            }
        )
    return value


def audit_admission(
    action: str, *, acting_user, admission, request=None, detail: dict | None = None
) -> None:
    """One audit record of a change (or a read) of a patient's record, in the case's area."""
    audit.record(
        actor=acting_user,
        action=action,
        obj=admission,
        object_label=f"{_('admission')} #{admission.pk} {mask_name(admission.person.name)}",
        detail=detail or {},
        request=request,
        area=admission.area,
    )
