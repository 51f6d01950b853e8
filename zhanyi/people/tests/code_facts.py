"""A health-fact contributor for tests: facts set per person by the test itself.

It is registered through the same ``provider`` registry the apps use and
removed afterwards, so the code under test gathers facts exactly as it does
from tracing or testing.
"""

from __future__ import annotations

import datetime as dt

import pytest

from zhanyi.engine.codes import ArrivalFact, ContactFact, QuarantineFact
from zhanyi.engine.codes import TestFact as ResultFact
from zhanyi.people import health_facts

T0 = dt.datetime(2021, 9, 13, 2, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)


class Facts:
    def __init__(self) -> None:
        self.by_person: dict[int, dict[str, list]] = {}

    def add(self, person, field: str, fact) -> None:
        self.by_person.setdefault(person.pk, {}).setdefault(field, []).append(fact)

    def clear(self, person) -> None:
        self.by_person.pop(person.pk, None)

    def close_contact(self, person, exposed=T0):
        self.add(
            person,
            "contacts",
            ContactFact(
                kind="close", last_exposure_at=exposed, identified_at=exposed, protocol="edition-8"
            ),
        )

    def arrival(self, person, at=T0):
        self.add(person, "arrivals", ArrivalFact(arrived_at=at, risk_level="medium", origin="莆田"))

    def quarantine(self, person, start=T0, end=None):
        self.add(person, "quarantines", QuarantineFact(kind="centralised", start=start, end=end))

    def negative(self, person, at):
        self.add(person, "tests", ResultFact(sampled_at=at, result="negative"))

    def __call__(self, person_ids, now):
        return {pid: self.by_person[pid] for pid in person_ids if pid in self.by_person}


@pytest.fixture
def facts():
    contributor = Facts()
    health_facts.providers()  # discover the apps' providers first
    health_facts._PROVIDERS["tests"] = contributor
    yield contributor
    health_facts._PROVIDERS.pop("tests", None)
