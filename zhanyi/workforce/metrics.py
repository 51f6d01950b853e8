"""Figures of the people in the field (力量, 数出一门): one definition each."""

from __future__ import annotations

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhanyi.core.metrics import area_filter, figure, tally
from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.places.models import Area
from zhanyi.workforce.models import (
    HEALTH_KINDS,
    Deployment,
    Direction,
    ForceKind,
    MutualAidTeam,
    PartyBranch,
    RosterEntry,
)
from zhanyi.workforce.queries import headcount, in_force, person_times


def _deployed(area: Area | None, *kinds: str) -> int:
    qs = Deployment.objects.filter(kind__in=kinds, **area_filter(area, "area__path"))
    return headcount(in_force(qs))


@figure(
    "workforce.health_workers",
    _("Health workers in the field"),
    _("people"),
    order=140,
    link="workforce:home",
)
def health_workers(area: Area | None) -> int:
    return _deployed(area, *HEALTH_KINDS)


@figure("workforce.sampling_medics", _("Medics sampling"), _("people"), order=141)
def sampling_medics(area: Area | None) -> int:
    return _deployed(area, ForceKind.SAMPLING)


@figure("workforce.quarantine_site_staff", _("Quarantine site staff"), _("people"), order=142)
def quarantine_site_staff(area: Area | None) -> int:
    return _deployed(area, ForceKind.QUARANTINE_SITE)


@figure("workforce.clinic_staff", _("Clinic staff"), _("people"), order=143)
def clinic_staff(area: Area | None) -> int:
    return _deployed(area, ForceKind.CLINIC)


@figure("workforce.volunteers", _("Volunteers in the field"), _("people"), order=144)
def volunteers(area: Area | None) -> int:
    return _deployed(area, ForceKind.VOLUNTEER)


@figure(
    "workforce.volunteer_person_times", _("Volunteer person-times"), _("person-times"), order=145
)
def volunteer_person_times(area: Area | None) -> int:
    qs = Deployment.objects.filter(kind=ForceKind.VOLUNTEER, **area_filter(area, "area__path"))
    return person_times(qs)


@figure("workforce.cadres", _("Cadres deployed"), _("people"), order=146)
def cadres(area: Area | None) -> int:
    return _deployed(area, ForceKind.CADRE)


@figure("workforce.police", _("Police deployed"), _("people"), order=147)
def police(area: Area | None) -> int:
    return _deployed(area, ForceKind.POLICE)


def _branches():
    return PartyBranch.objects.filter(dissolved_at__isnull=True)


@tally(
    "workforce.party_branches",
    _("Temporary party branches"),
    _("branches"),
    order=148,
    area="area",
)
def party_branches():
    return _branches()


@tally(
    "workforce.party_posts",
    _("Party member posts"),
    _("posts"),
    order=149,
    area="area",
    total=lambda: Sum("posts"),
)
def party_posts():
    return _branches()


def _teams_out(direction: str):
    return MutualAidTeam.objects.filter(
        direction=direction, started_at__isnull=False, ended_at__isnull=True
    )


@tally(
    "workforce.aid_arrived",
    _("Mutual-aid staff here to help"),
    _("people"),
    order=150,
    area="area",
    total=lambda: Sum("headcount"),
)
def aid_arrived():
    return _teams_out(Direction.ARRIVING)


@tally(
    "workforce.aid_sent",
    _("Our staff helping elsewhere"),
    _("people"),
    order=151,
    area="area",
    total=lambda: Sum("headcount"),
)
def aid_sent():
    return _teams_out(Direction.LEAVING)


@figure("workforce.rostered_today", _("People on today's rosters"), _("people"), order=152)
def rostered_today(area: Area | None) -> int:
    today = timezone.now().astimezone(LOCAL_TZ).date()
    return (
        RosterEntry.objects.filter(day=today, **area_filter(area, "area__path"))
        .filter(~Q(name=""))
        .values("name", "phone")
        .distinct()
        .count()
    )
