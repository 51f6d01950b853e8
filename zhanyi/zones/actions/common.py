"""What the zone actions share: the capability and jurisdiction checks, the
extent's responsible area, the residents of a zone."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from zhanyi.accounts.roles import require_capability
from zhanyi.core.audit import SystemActor
from zhanyi.core.jurisdiction import root_path
from zhanyi.people.models import Person
from zhanyi.places.models import Area, Place
from zhanyi.zones.models import Zone


def require(acting_user: Any, capability: str) -> None:
    """The actor needs ``capability``; a ``SystemActor`` (the command line, the
    demo, the clock) is the operator of the installation and passes."""
    if isinstance(acting_user, SystemActor):
        return
    require_capability(acting_user, capability)


def actor_root(acting_user: Any) -> str | None:
    """The area path the actor works in: '' for everything."""
    if isinstance(acting_user, SystemActor):
        return ""
    return root_path(acting_user)


def require_extent(acting_user: Any, areas: Iterable[Area], places: Iterable[Place]) -> None:
    """Refuse an extent reaching outside the actor's jurisdiction, naming the
    areas and places that do."""
    root = actor_root(acting_user)
    if root is None:
        raise PermissionDenied(_("You have no jurisdiction."))
    outside = [a.name for a in areas if not a.path.startswith(root)]
    outside += [p.name for p in places if not p.area.path.startswith(root)]
    if outside:
        mine = Area.objects.filter(path=root).values_list("name", flat=True).first() or ""
        raise ValidationError(
            {
                "areas": _("%(names)s: outside your jurisdiction (%(mine)s).")
                % {"names": "、".join(outside), "mine": mine}
            }
        )


def responsible_area(areas: Iterable[Area], places: Iterable[Place]) -> Area:
    """The smallest area holding every area and place of the extent."""
    paths = [a.path for a in areas] + [p.area.path for p in places]
    common: list[str] | None = None
    for path in paths:
        parts = [p for p in path.split("/") if p]
        if common is None:
            common = parts
        else:
            n = 0
            while n < min(len(common), len(parts)) and common[n] == parts[n]:
                n += 1
            common = common[:n]
    if not common:
        raise ValidationError({"areas": _("A zone needs at least one area or place.")})
    return Area.objects.get(path="/" + "/".join(common) + "/")


def residents_q(area_paths: Iterable[str], place_ids: Iterable[int]) -> Q:
    """Persons living in the extent: in one of its areas (by village or by
    the household's grid) or in one of its places (the household's compound)."""
    q = Q(pk__in=[])
    for path in area_paths:
        q |= Q(village__path__startswith=path) | Q(household__grid__path__startswith=path)
    place_ids = list(place_ids)
    if place_ids:
        q |= Q(household__place_id__in=place_ids)
    return q


def residents(zone: Zone) -> QuerySet[Person]:
    """The live persons (not merged away) living in ``zone``."""
    paths = list(zone.areas.values_list("path", flat=True))
    place_ids = list(zone.places.values_list("pk", flat=True))
    return Person.objects.filter(residents_q(paths, place_ids), merged_into=None).distinct()
