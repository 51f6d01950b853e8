"""Protocol files: the rules officials change, as data (防控方案).

A protocol file is TOML under ``zhanyi/protocols/`` (``edition-8.toml``, …).
It has a ``[protocol]`` header and one section per topic. Each known section
is read into a frozen dataclass; a new topic (quarantine days, test days,
health-code colours, …) is added by writing its dataclass and registering it
in ``SECTIONS``. Sections this version does not know are kept, unparsed, in
``Protocol.extra`` so that a newer file still loads.

Field names in a known section are checked: a misspelt key is an error, not a
silently ignored rule.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from zhanyi.engine.codes.rules import HealthCodeRules

PROTOCOLS_DIR = Path(__file__).resolve().parent.parent / "protocols"
DEFAULT_PROTOCOL = "edition-8"
LOCAL_TZ = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class ProtocolInfo:
    """The ``[protocol]`` header: which text the numbers come from."""

    name: str
    edition: int
    effective_date: dt.date
    title: str = ""
    source_notes: str = ""


@dataclass(frozen=True)
class ExposureRule:
    """A case's exposure window for tracing its contacts."""

    #: From this many days before symptom onset (or the positive sample of an
    #: asymptomatic case) until isolation.
    days_before: int = 2


@dataclass(frozen=True)
class CompanionRule:
    """Spatiotemporal companion (时空伴随) rule and its data-handling parameters.

    A person is a companion of a case when both were in the same cell for
    strictly more than ``min_overlap_minutes`` within the lookback, and either
    of them spent at least ``dwell_hours`` in that cell over the lookback.
    """

    source: str = ""
    status: str = ""
    cell_size_m: int = 800
    min_overlap_minutes: int = 10
    lookback_days: int = 14
    dwell_hours: int = 30
    tests_required: int = 2
    tests_within_days: int = 3
    tests_min_gap_hours: int = 24
    retention_days: int = 21
    merge_gap_minutes: int = 0
    record_gap_minutes: int = 60
    max_stay_hours: int = 24

    @property
    def min_overlap_s(self) -> int:
        return self.min_overlap_minutes * 60

    @property
    def dwell_s(self) -> int:
        return self.dwell_hours * 3600

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.type == "int" and (not isinstance(value, int) or value < 0):
                raise ValueError(f"companion.{f.name} must be a non-negative integer")
        if self.lookback_days < 1 or self.max_stay_hours < 1:
            raise ValueError("companion.lookback_days and max_stay_hours must be at least 1")


@dataclass(frozen=True)
class TestingRule:
    """Mass testing (全员核酸检测): pool sizes, turnaround deadlines, re-test rules."""

    source: str = ""
    status: str = ""
    pool_sizes: tuple[int, ...] = (1, 5, 10, 20)
    default_pool_size: int = 10
    max_pool_size: int = 20
    round_days: int = 2
    positive_report_hours: int = 2
    key_group_result_hours: int = 6
    routine_result_hours: int = 12
    resample_due_hours: int = 2
    scheduled_test_window_hours: int = 24

    def __post_init__(self) -> None:
        object.__setattr__(self, "pool_sizes", tuple(self.pool_sizes))
        if not self.pool_sizes or any(
            not isinstance(k, int) or isinstance(k, bool) or k < 1 for k in self.pool_sizes
        ):
            raise ValueError("testing.pool_sizes must be whole numbers of at least 1")
        if self.default_pool_size not in self.pool_sizes:
            raise ValueError("testing.default_pool_size must be one of testing.pool_sizes")
        if self.max_pool_size < self.default_pool_size:
            raise ValueError("testing.max_pool_size must be at least testing.default_pool_size")
        for name in (
            "round_days",
            "positive_report_hours",
            "key_group_result_hours",
            "routine_result_hours",
            "resample_due_hours",
            "scheduled_test_window_hours",
        ):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"testing.{name} must be a whole number of at least 1")


#: Section name → dataclass. Other issues register their sections here.
SECTIONS: dict[str, type] = {
    "exposure": ExposureRule,
    "companion": CompanionRule,
    "testing": TestingRule,
    "health_codes": HealthCodeRules,
}


@dataclass(frozen=True)
class Protocol:
    """One protocol file, parsed."""

    info: ProtocolInfo
    path: Path
    exposure: ExposureRule = field(default_factory=ExposureRule)
    companion: CompanionRule = field(default_factory=CompanionRule)
    testing: TestingRule = field(default_factory=TestingRule)
    health_codes: HealthCodeRules = field(default_factory=HealthCodeRules)
    extra: dict[str, Any] = field(default_factory=dict)

    def exposure_window(
        self,
        isolated_at: dt.datetime,
        *,
        onset_date: dt.date | None = None,
        sampling_date: dt.date | None = None,
    ) -> tuple[dt.datetime, dt.datetime]:
        return exposure_window(
            self.exposure, isolated_at, onset_date=onset_date, sampling_date=sampling_date
        )


def _build(cls: type, section: str, values: dict[str, Any]) -> Any:
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError(f"[{section}]: unknown keys {', '.join(unknown)}")
    return cls(**values)


def resolve_protocol_path(name_or_path: str | Path) -> Path:
    """A protocol name (``edition-8``) or a path to a TOML file."""
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        return path
    candidate = PROTOCOLS_DIR / f"{name_or_path}.toml"
    if not candidate.exists():
        names = sorted(p.stem for p in PROTOCOLS_DIR.glob("*.toml"))
        raise FileNotFoundError(f"no protocol {name_or_path!r}; known: {', '.join(names)}")
    return candidate


def load_protocol(name_or_path: str | Path = DEFAULT_PROTOCOL) -> Protocol:
    """Read a protocol file into frozen dataclasses."""
    path = resolve_protocol_path(name_or_path)
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    if "protocol" not in data:
        raise ValueError(f"{path}: missing [protocol] header")
    info = _build(ProtocolInfo, "protocol", data.pop("protocol"))
    parsed = {
        name: _build(cls, name, data.pop(name)) for name, cls in SECTIONS.items() if name in data
    }
    return Protocol(info=info, path=path, extra=data, **parsed)


def exposure_window(
    rule: ExposureRule,
    isolated_at: dt.datetime,
    *,
    onset_date: dt.date | None = None,
    sampling_date: dt.date | None = None,
) -> tuple[dt.datetime, dt.datetime]:
    """The case's exposure window ``[start, isolated_at)`` as aware datetimes.

    It starts at local midnight (Asia/Shanghai) ``days_before`` days before
    symptom onset, or before the positive sample for an asymptomatic case
    (pass ``sampling_date``); onset wins when both are given, because the
    protocol counts from onset for symptomatic cases.
    """
    anchor = onset_date or sampling_date
    if anchor is None:
        raise ValueError("an exposure window needs an onset date or a sampling date")
    if isolated_at.tzinfo is None:
        raise ValueError("isolated_at must be timezone-aware")
    first_day = anchor - dt.timedelta(days=rule.days_before)
    start = dt.datetime.combine(first_day, dt.time(), tzinfo=LOCAL_TZ)
    if isolated_at <= start:
        raise ValueError("isolation is before the start of the exposure window")
    return start.astimezone(dt.UTC), isolated_at.astimezone(dt.UTC)
