"""Special care (特殊人群关爱) per village: a child in quarantine with a parent,
the elderly living alone, chronic medicine; each followed up at least every
``[livelihood] care_follow_up_days``."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.core import audit
from zhanyi.core.actors import actor_name
from zhanyi.core.lengths import too_long
from zhanyi.livelihood.models import Care, CareKind, FollowUp
from zhanyi.livelihood.rules import rules
from zhanyi.people.models import Person

from .common import require


def _next(now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(days=rules().care_follow_up_days)


@transaction.atomic
def do_add_care(
    person: Person,
    *,
    kind: str,
    needs: str = "",
    acting_user,
    now: dt.datetime | None = None,
    request=None,
) -> Care:
    """``person`` on their village's care list; refused twice for one need."""
    area = person.village
    if area is None:
        raise ValidationError(
            {"person": _("%(name)s has no village: add one first.") % {"name": person.name}}
        )
    require(acting_user, "edit_operations", area)
    if kind not in CareKind.values:
        raise ValidationError({"kind": _("Unknown kind of care: %(kind)s.") % {"kind": kind}})
    needs = (needs or "").strip()
    if message := too_long(Care, "needs", needs):
        raise ValidationError({"needs": message})
    if Care.objects.filter(person=person, kind=kind, closed_at__isnull=True).exists():
        raise ValidationError(
            {
                "person": _("%(name)s is on the care list already for: %(kind)s.")
                % {"name": person.name, "kind": CareKind(kind).label}
            }
        )
    now = now or timezone.now()
    care = Care.objects.create(
        person=person,
        area=area,
        kind=kind,
        needs=needs,
        started_at=now,
        next_follow_up_at=now,
        created_by_name=actor_name(acting_user),
    )
    audit.record(
        actor=acting_user,
        action="livelihood.care.add",
        obj=care,
        area=area,
        detail={"person": person.pk, "kind": kind},
        request=request,
    )
    return care


@transaction.atomic
def do_follow_up(
    care: Care,
    *,
    note: str,
    close: bool = False,
    acting_user,
    now: dt.datetime | None = None,
    request=None,
) -> FollowUp:
    """A visit or call: what was found and done; the next one is due after the
    protocol's days, or the care ends (``close``)."""
    require(acting_user, "edit_operations", care.area)
    if care.closed_at is not None:
        raise ValidationError(
            {"note": _("This care ended on %(day)s.") % {"day": care.closed_at.date()}}
        )
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Write what was found and done.")})
    if message := too_long(FollowUp, "note", note):
        raise ValidationError({"note": message})
    now = now or timezone.now()
    follow_up = FollowUp.objects.create(
        care=care, at=now, note=note, by_name=actor_name(acting_user)
    )
    care.next_follow_up_at = _next(now)
    if close:
        care.closed_at = now
    care.save(update_fields=["next_follow_up_at", "closed_at"])
    audit.record(
        actor=acting_user,
        action="livelihood.care.follow_up",
        obj=care,
        area=care.area,
        detail={"person": care.person_id, "closed": close},
        request=request,
    )
    return follow_up
