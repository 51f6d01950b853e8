"""Figures of the risk zones (数出一门): one definition each. Each counts the
approved zones in force now that touch the area, and the people living in
them within the area."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhanyi.core import figure_cache
from zhanyi.core.metrics import area_filter, figure
from zhanyi.people.models import Person
from zhanyi.places.models import Area
from zhanyi.places.risk import Tier
from zhanyi.zones.actions.common import residents_q
from zhanyi.zones.lifting import lifting_check
from zhanyi.zones.models import Zone
from zhanyi.zones.queries import visible
from zhanyi.zones.risk_tiers import in_force_at


def _in_force(area: Area | None, tiers: list[str] | None = None) -> list[Zone]:
    """The zones in force now touching ``area`` (of ``tiers``): the zones are
    read once per pass of figures (eight figures read them), a few rows."""

    def read() -> list[Zone]:
        qs = Zone.objects.filter(in_force_at(timezone.now()))
        return list(visible(qs, area.path if area else "").prefetch_related("areas", "places"))

    zones = figure_cache.shared(("zones.in_force", area.pk if area is not None else None), read)
    return [z for z in zones if not tiers or z.tier in tiers]


def _people(area: Area | None, tiers: list[str] | None = None) -> int:
    q = Q(pk__in=[])
    for zone in _in_force(area, tiers):
        q |= residents_q([a.path for a in zone.areas.all()], [p.pk for p in zone.places.all()])
    people = Person.objects.filter(q, merged_into=None, **area_filter(area, "village__path"))
    return people.distinct().count()


@figure("zones.in_force", _("Risk zones in force"), _("zones"), order=80, link="zones:home")
def in_force(area: Area | None) -> int:
    return len(_in_force(area))


@figure("zones.sealed", _("Sealed zones in force"), _("zones"), order=81, link="zones:home")
def sealed(area: Area | None) -> int:
    return len(_in_force(area, [Tier.SEALED]))


@figure("zones.controlled", _("Controlled zones in force"), _("zones"), order=82)
def controlled(area: Area | None) -> int:
    return len(_in_force(area, [Tier.CONTROLLED]))


@figure("zones.prevention", _("Prevention zones in force"), _("zones"), order=83)
def prevention(area: Area | None) -> int:
    return len(_in_force(area, [Tier.PREVENTION]))


@figure("zones.risk_areas", _("Medium- and high-risk areas"), _("areas"), order=84)
def risk_areas(area: Area | None) -> int:
    return len(_in_force(area, [Tier.HIGH_RISK, Tier.MEDIUM_RISK]))


@figure("zones.people_sealed", _("People in sealed zones"), _("people"), order=85)
def people_sealed(area: Area | None) -> int:
    return _people(area, [Tier.SEALED, Tier.HIGH_RISK])


@figure("zones.people_inside", _("People in sealed or controlled zones"), _("people"), order=86)
def people_inside(area: Area | None) -> int:
    return _people(area, [Tier.SEALED, Tier.HIGH_RISK, Tier.CONTROLLED, Tier.MEDIUM_RISK])


@figure(
    "zones.days_to_lifting",
    _("Days until the last zone in force may step down"),
    _("days"),
    order=87,
)
def days_to_lifting(area: Area | None) -> int:
    now = timezone.now()
    return max(
        (lifting_check(z, now, with_round=False).days_left for z in _in_force(area)), default=0
    )
