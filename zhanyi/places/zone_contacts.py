"""The close contacts linked to a zone (涉区密接), for the zones' lifting countdown.

A zone lifts only once the last close contact linked to it has finished
quarantine with a negative result. Tracing owns contacts and their
exposures; the zones app must not import it, so this module, in the places
layer below every task force, declares the question and tracing answers it
in its ``zone_contacts.py``::

    from zhanyi.places.zone_contacts import links_contacts

    @links_contacts
    def zone_contacts(paths, place_ids, since) -> list[ZoneContact]: ...

A contact is linked to a zone when they live in it, were exposed at a place
in it, or are a contact of a case who lives in or passed through it. With no
tracing app installed every answer is empty.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.module_loading import autodiscover_modules

__all__ = ["ZoneContact", "contacts_in", "links_contacts"]


@dataclass(frozen=True)
class ZoneContact:
    """One close contact linked to a zone: who, their last exposure, and
    when their quarantine was released (``None``: still in quarantine)."""

    person_id: int
    last_exposure_at: dt.datetime
    released_at: dt.datetime | None


Finder = Callable[[list[str], list[int], dt.datetime], list[ZoneContact]]

_FINDER: list[Finder] = []
_discovered = False


def links_contacts(fn: Finder) -> Finder:
    """Register the function that lists the close contacts linked to an extent (one only)."""
    if _FINDER and _FINDER[0] is not fn:
        raise ValueError("the zones' contacts are answered twice")
    _FINDER[:] = [fn]
    return fn


def contacts_in(paths: list[str], place_ids: list[int], since: dt.datetime) -> list[ZoneContact]:
    """The close contacts linked to the areas ``paths`` (and their
    descendants) or the places ``place_ids``, last exposed at or after ``since``."""
    global _discovered
    if not _discovered:
        autodiscover_modules("zone_contacts")
        _discovered = True
    if not _FINDER or not (paths or place_ids):
        return []
    return _FINDER[0](sorted(set(paths)), sorted(set(place_ids)), since)
