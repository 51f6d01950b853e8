"""What tracing tells the places layer about the close contacts linked to a
zone (``zhanyi.places.zone_contacts``): contacts living in it, exposed at a
place in it, or traced from a case who lives in or passed through it."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from zhanyi.places.zone_contacts import ZoneContact, links_contacts
from zhanyi.tracing.models import Case, Contact, ContactKind, Exposure, TrajectoryEntry


def _lives_in(prefix: str, paths: list[str], place_ids: list[int]) -> Q:
    """Persons (reached through ``prefix``) whose home lies in the extent."""
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{prefix}village__path__startswith": path})
        q |= Q(**{f"{prefix}household__grid__path__startswith": path})
    if place_ids:
        q |= Q(**{f"{prefix}household__place_id__in": place_ids})
    return q


def _at(paths: list[str], place_ids: list[int]) -> Q:
    """Trajectory stops or exposures whose place (or area) lies in the extent."""
    q = Q(place_id__in=place_ids) if place_ids else Q(pk__in=[])
    for path in paths:
        q |= Q(place__area__path__startswith=path)
    return q


@links_contacts
def zone_contacts(paths: list[str], place_ids: list[int], since: dt.datetime) -> list[ZoneContact]:
    stops = _at(paths, place_ids)
    for path in paths:
        stops |= Q(area__path__startswith=path)
    cases = Case.objects.filter(
        Q(_lives_in("person__", paths, place_ids))
        | Q(pk__in=TrajectoryEntry.objects.filter(stops).values("case_id"))
    ).values("pk")
    exposed = Exposure.objects.filter(_at(paths, place_ids), exposed_at__gte=since)
    close = Q(kind=ContactKind.CLOSE) | Q(upgraded_at__isnull=False)
    linked = (
        Q(_lives_in("person__", paths, place_ids))
        | Q(case_id__in=cases)
        | Q(person_id__in=exposed.values("person_b_id"))
    )
    rows = (
        Contact.objects.filter(close, linked, last_exposure_at__gte=since)
        .values_list("person_id", "last_exposure_at", "released_at")
        .distinct()
    )
    return [ZoneContact(pid, last, released) for pid, last, released in rows]
