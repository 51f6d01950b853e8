"""Contributors of health-code facts, one per app (the bridge to ``engine.codes``).

An app that owns facts about a person (tracing: cases and contacts; testing:
results; screening: arrivals) declares a provider in its own
``health_facts.py``::

    from zhanyi.people.health_facts import provider

    @provider("testing")
    def facts(person_ids: list[int], now: datetime) -> dict[int, dict[str, list]]:
        return {pid: {"tests": [TestFact(...), ...]} for pid in ...}

``gather`` asks every provider and combines the answers into one
``PersonFacts`` per person. After changing a fact, the app calls
``zhanyi.people.actions.health_codes.do_recompute_codes(person_ids, reason=…,
acting_user=…)``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator

from django.utils.module_loading import autodiscover_modules

from zhanyi.engine.codes import PersonFacts

Provider = Callable[[list[int], dt.datetime], dict[int, dict[str, list]]]

_PROVIDERS: dict[str, Provider] = {}
_FIELDS = frozenset(PersonFacts.LIST_FIELDS)
_discovered = False


def provider(name: str) -> Callable[[Provider], Provider]:
    def register(fn: Provider) -> Provider:
        if name in _PROVIDERS and _PROVIDERS[name] is not fn:
            raise ValueError(f"health-fact provider {name!r} is registered twice")
        _PROVIDERS[name] = fn
        return fn

    return register


def providers() -> dict[str, Provider]:
    global _discovered
    if not _discovered:
        autodiscover_modules("health_facts")
        _discovered = True
    return dict(_PROVIDERS)


def gather(person_ids: Iterable[int], now: dt.datetime) -> dict[int, PersonFacts]:
    """Every contributor's facts for ``person_ids``, combined per person."""
    ids = sorted(set(person_ids))
    parts: dict[int, list[dict[str, list]]] = {pid: [] for pid in ids}
    for fn in providers().values():
        for pid, part in fn(ids, now).items():
            if pid in parts:
                parts[pid].append(part)
    out: dict[int, PersonFacts] = {}
    for pid, p in parts.items():
        if not p:
            out[pid] = PersonFacts(person_id=pid)
        elif len(p) == 1 and all(name in _FIELDS for name in p[0]):
            # One contributor (the usual case): no merging needed.
            out[pid] = PersonFacts(pid, **{k: tuple(v) for k, v in p[0].items()})
        else:
            out[pid] = PersonFacts.combine(pid, p)
    return out


def for_persons(queryset, person_ids: list[int], field: str = "person_id"):
    """``queryset`` restricted to ``person_ids`` (sorted), for providers and bulk paths.

    When the ids are dense (a whole city's, a benchmark's) this is a range
    scan, which avoids building an ``IN`` list of thousands of parameters
    (the slowest part of a batch on PostgreSQL); it may then return rows of
    persons between the ids that were not asked for, which ``gather``
    ignores. Sparse ids use ``IN``.
    """
    if not person_ids:
        return queryset.none()
    first, last = person_ids[0], person_ids[-1]
    if last - first < 4 * len(person_ids):
        return queryset.filter(**{f"{field}__gte": first, f"{field}__lte": last})
    return queryset.filter(**{f"{field}__in": person_ids})


def in_batches(
    queryset, person_ids: list[int], field: str = "person_id", size: int = 5000
) -> Iterator:
    """``queryset`` restricted to ``person_ids`` (sorted), as few querysets as
    it takes: one range scan when the ids are dense (``for_persons``), else
    ``IN`` lists of at most ``size`` ids. A provider that finds nothing for
    most persons (a contact graph's codes) then costs one quick query, not a
    query per few thousand ids."""
    if not person_ids:
        return
    first, last = person_ids[0], person_ids[-1]
    if last - first < 4 * len(person_ids):
        yield for_persons(queryset, person_ids, field)
        return
    for i in range(0, len(person_ids), size):
        yield queryset.filter(**{f"{field}__in": person_ids[i : i + size]})
