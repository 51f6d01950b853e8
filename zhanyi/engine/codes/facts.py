"""The facts a health code is decided from: the contract between the apps.

Each app contributes the facts it owns (tracing: cases and contacts; testing:
test results and positive pools; screening: arrivals from risk areas;
quarantine: placements) as lists of these records. The lists from every
contributor are concatenated into one ``PersonFacts``; nothing is a scalar, so
two apps never compete for one field. All datetimes are timezone-aware.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

CaseClassification = Literal["confirmed", "asymptomatic", "suspected"]
ContactKind = Literal["close", "secondary", "companion"]
QuarantineKind = Literal["centralised", "home", "home_health_monitoring"]
TestResult = Literal["positive", "negative"]
RiskLevel = Literal["high", "medium"]


@dataclass(frozen=True)
class CaseFact:
    """The person is a case (确诊病例 / 无症状感染者 / 疑似病例)."""

    classification: CaseClassification
    reported_at: dt.datetime
    released_at: dt.datetime | None = None  # discharged / released from isolation
    source: str = ""  # "tracing.case:12"


@dataclass(frozen=True)
class ContactFact:
    """The person is a close contact (密接), secondary contact (次密接) or
    spatiotemporal companion (时空伴随者) of a case."""

    kind: ContactKind
    last_exposure_at: dt.datetime
    identified_at: dt.datetime
    released_at: dt.datetime | None = None
    protocol: str = ""  # the protocol file's name, e.g. "edition-8"
    #: When the contact was put in quarantine (a protocol that counts the days
    #: from the quarantine, ``[quarantine] count_from = "quarantine"``).
    quarantined_at: dt.datetime | None = None
    source: str = ""  # "tracing.contact:42" or "screening.push_record:7"


@dataclass(frozen=True)
class QuarantineFact:
    """A period of centralised or home quarantine or home health monitoring."""

    kind: QuarantineKind
    start: dt.datetime
    end: dt.datetime | None = None  # planned or actual end; None: open-ended
    source: str = ""


@dataclass(frozen=True)
class TestFact:
    """A nucleic-acid test result concerning the person.

    ``pooled`` with ``result="positive"`` means the person's pool tube was
    positive and their single-tube re-test is pending or done (a later
    ``pooled=False`` fact).
    """

    sampled_at: dt.datetime
    result: TestResult
    pooled: bool = False
    reported_at: dt.datetime | None = None
    source: str = ""  # "testing.tube:ZZ0001234"


@dataclass(frozen=True)
class ArrivalFact:
    """Arrival from a medium- or high-risk area (中/高风险地区), e.g. found by screening."""

    arrived_at: dt.datetime
    risk_level: RiskLevel
    origin: str = ""  # the place they came from, as written
    source: str = ""  # "screening.push_record:7"


@dataclass(frozen=True)
class PersonFacts:
    person_id: int
    cases: tuple[CaseFact, ...] = field(default_factory=tuple)
    contacts: tuple[ContactFact, ...] = field(default_factory=tuple)
    quarantines: tuple[QuarantineFact, ...] = field(default_factory=tuple)
    tests: tuple[TestFact, ...] = field(default_factory=tuple)
    arrivals: tuple[ArrivalFact, ...] = field(default_factory=tuple)

    LIST_FIELDS = ("cases", "contacts", "quarantines", "tests", "arrivals")

    @classmethod
    def combine(cls, person_id: int, parts: list[dict[str, list]]) -> PersonFacts:
        """One person's facts from each contributor's ``{field: [facts]}``."""
        merged: dict[str, list] = {name: [] for name in cls.LIST_FIELDS}
        for part in parts:
            for name, items in part.items():
                if name not in merged:
                    raise ValueError(f"unknown health-code fact field {name!r}")
                merged[name].extend(items)
        return cls(person_id=person_id, **{k: tuple(v) for k, v in merged.items()})
