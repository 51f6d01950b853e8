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
from collections.abc import Callable, Iterable

from django.utils.module_loading import autodiscover_modules

from zhanyi.engine.codes import PersonFacts

Provider = Callable[[list[int], dt.datetime], dict[int, dict[str, list]]]

_PROVIDERS: dict[str, Provider] = {}
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
    return {pid: PersonFacts.combine(pid, p) for pid, p in parts.items()}
