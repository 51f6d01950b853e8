"""The supply network (保供网络): stores, affordable stores, centres, outlets."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhanyi.core import audit
from zhanyi.core.lengths import too_long
from zhanyi.livelihood.models import Facility, FacilityKind
from zhanyi.places.models import Area

from .common import require


@transaction.atomic
def do_add_facility(
    *,
    name: str,
    kind: str,
    area: Area,
    address: str = "",
    phone: str = "",
    acting_user,
    request=None,
) -> Facility:
    """A store, affordable store, centre or outlet in ``area``; refused when the
    area already has one of that name."""
    require(acting_user, "edit_operations", area)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("A facility needs a name.")})
    for field, value in (("name", name), ("address", address)):
        if message := too_long(Facility, field, value):
            raise ValidationError({field: message})
    if kind not in FacilityKind.values:
        raise ValidationError({"kind": _("Unknown kind of facility: %(kind)s.") % {"kind": kind}})
    if Facility.objects.filter(area=area, name=name).exists():
        raise ValidationError(
            {
                "name": _("%(area)s already has a facility named %(name)s.")
                % {"area": area.name, "name": name}
            }
        )
    facility = Facility.objects.create(
        name=name, kind=kind, area=area, address=address.strip(), phone=phone.strip()
    )
    audit.record(
        actor=acting_user,
        action="livelihood.facility.add",
        obj=facility,
        area=area,
        detail={"name": name, "kind": kind},
        request=request,
    )
    return facility


@transaction.atomic
def do_set_facility_active(
    facility: Facility, active: bool, *, acting_user, request=None
) -> Facility:
    """A facility opened or closed (a closed store takes no orders)."""
    require(acting_user, "edit_operations", facility.area)
    old = facility.active
    facility.active = active
    facility.save(update_fields=["active"])
    audit.record(
        actor=acting_user,
        action="livelihood.facility.active",
        obj=facility,
        area=facility.area,
        detail={"old": old, "new": active},
        request=request,
    )
    return facility
