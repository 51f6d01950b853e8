"""Designated hospitals (定点医院) and their wards with beds."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhanyi.care.models import Hospital, Ward
from zhanyi.core import audit
from zhanyi.places.models import Area

from .common import require


@transaction.atomic
def do_create_hospital(
    *, acting_user, name: str, area: Area, designated: bool = True, request=None
) -> Hospital:
    """A hospital in an area; designated (定点医院) unless said otherwise."""
    require(acting_user, "edit_operations", area)
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Name the hospital.")})
    if Hospital.objects.filter(name=name).exists():
        raise ValidationError(
            {"name": _("A hospital named %(name)s exists already.") % {"name": name}}
        )
    hospital = Hospital.objects.create(name=name, area=area, designated=designated)
    audit.record(
        actor=acting_user,
        action="care.hospital.create",
        obj=hospital,
        area=area,
        detail={"name": name, "area": area.code, "designated": designated},
        request=request,
    )
    return hospital


@transaction.atomic
def do_add_ward(hospital: Hospital, *, acting_user, name: str, beds: int, request=None) -> Ward:
    """A ward (病区) of the hospital with its number of beds."""
    require(acting_user, "edit_operations", hospital.area)
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Name the ward.")})
    if beds < 1:
        raise ValidationError({"beds": _("A ward has at least one bed.")})
    if Ward.objects.filter(hospital=hospital, name=name).exists():
        raise ValidationError(
            {
                "name": _("%(hospital)s has a ward named %(name)s already.")
                % {"hospital": hospital.name, "name": name}
            }
        )
    ward = Ward.objects.create(hospital=hospital, name=name, beds=beds)
    audit.record(
        actor=acting_user,
        action="care.ward.create",
        obj=hospital,
        area=hospital.area,
        detail={"ward": name, "beds": beds},
        request=request,
    )
    return ward
