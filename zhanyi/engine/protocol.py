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
import re
import tomllib
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from zhanyi.engine.checkpoints.rules import CheckpointRule
from zhanyi.engine.codes.rules import HealthCodeRules
from zhanyi.engine.zones.rules import ZoneRules

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


#: The readings of the companion rule's overlap (``[companion] overlap_within``).
OVERLAP_READINGS = ("lookback", "exposure_window")


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
    #: Which time the "more than 10 minutes together" counts (the Chengdu text
    #: can be read both ways): ``"lookback"``, the whole lookback until the
    #: case's isolation (the 8th-edition file's reading), or
    #: ``"exposure_window"``, only the case's exposure window.
    overlap_within: str = "lookback"
    dwell_hours: int = 30
    tests_required: int = 2
    tests_within_days: int = 3
    tests_min_gap_hours: int = 24
    retention_days: int = 21
    merge_gap_minutes: int = 0
    record_gap_minutes: int = 60

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
        if self.lookback_days < 1:
            raise ValueError("companion.lookback_days must be at least 1")
        if self.overlap_within not in OVERLAP_READINGS:
            raise ValueError(
                f"companion.overlap_within must be one of {', '.join(OVERLAP_READINGS)}"
            )


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


def _check_days(section: str, name: str, days: tuple[int, ...]) -> None:
    if any(not isinstance(d, int) or isinstance(d, bool) or d < 1 for d in days):
        raise ValueError(f"{section}.{name} must be whole day numbers of at least 1")
    if list(days) != sorted(set(days)):
        raise ValueError(f"{section}.{name} must be in increasing order without repeats")


def _check_counts(section: str, obj: Any, names: tuple[str, ...], minimum: int = 0) -> None:
    for name in names:
        value = getattr(obj, name)
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            raise ValueError(f"{section}.{name} must be a whole number of at least {minimum}")


CERTAINTIES = ("confirmed", "probable", "possible")
#: What a setting's name may look like (the protocol file says which settings
#: there are; the engine knows none by name).
_SETTING_NAME = re.compile(r"^[a-z][a-z_]{0,15}$")


@dataclass(frozen=True)
class ContactRule:
    """Who is a close contact (密接) and a secondary contact (次密接).

    A close contact had an exposure, in one of ``settings`` and with one of
    ``certainties``, with the case inside the case's exposure window. A
    secondary contact had such an exposure with a close contact between the
    close contact's first exposure to the case and their quarantine.
    ``max_depth`` is how far the expansion follows (2: close and secondary).
    ``upgrade_secondary``: a secondary contact is managed as a close contact
    when the close contact they were reached through turns positive.
    """

    #: The settings that count, as the protocol file lists them (8th edition:
    #: living together, carers and treating staff, visitors, the same office
    #: or classroom, a shared toilet, lift, meal or entertainment in a closed
    #: space, the same vehicle, a contaminated environment, others judged by
    #: investigators). The engine knows no setting by name.
    settings: tuple[str, ...] = ()
    certainties: tuple[str, ...] = ("confirmed", "probable")
    max_depth: int = 2
    upgrade_secondary: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "settings", tuple(self.settings))
        object.__setattr__(self, "certainties", tuple(self.certainties))
        bad = sorted(str(s) for s in self.settings if not _SETTING_NAME.match(str(s)))
        if bad:
            raise ValueError(f"contacts.settings: not a setting name: {', '.join(bad)}")
        unknown = sorted(set(self.certainties) - set(CERTAINTIES))
        if unknown or not self.certainties:
            raise ValueError(f"contacts.certainties: unknown or empty {', '.join(unknown)}")
        _check_counts("contacts", self, ("max_depth",), minimum=1)
        if not isinstance(self.upgrade_secondary, bool):
            raise ValueError("contacts.upgrade_secondary must be true or false")


#: What quarantine days and test days are counted from (``[quarantine] count_from``).
ANCHORS = ("last_exposure", "quarantine")


@dataclass(frozen=True)
class QuarantineRule:
    """Quarantine and monitoring (隔离/健康监测) of close and secondary contacts.

    Days count from one anchor, ``count_from``, for the quarantine days, the
    test days and the health code alike (``zhanyi.engine.release``):
    ``"last_exposure"`` (the 8th and 9th editions: the medical observation
    runs 14 days from the last unprotected contact) or ``"quarantine"`` (the
    moment the contact was quarantined, else identified). Centralised
    quarantine first, then home quarantine, then home health monitoring.
    """

    count_from: str = "last_exposure"

    close_centralised_days: int = 14
    close_home_quarantine_days: int = 0
    close_home_monitoring_days: int = 7
    secondary_centralised_days: int = 7
    secondary_home_quarantine_days: int = 0
    secondary_home_monitoring_days: int = 0

    def __post_init__(self) -> None:
        if self.count_from not in ANCHORS:
            raise ValueError(f"quarantine.count_from must be one of {', '.join(ANCHORS)}")
        days = tuple(f.name for f in dataclasses.fields(self) if f.name != "count_from")
        _check_counts("quarantine", self, days)
        for kind in ("close", "secondary"):
            if sum(days for _, days in self.stages(kind)) < 1:
                raise ValueError(f"quarantine: a {kind} contact needs at least one day")

    def stages(self, kind: str) -> list[tuple[str, int]]:
        """``[(stage, days), …]`` in order, stages with zero days left out."""
        if kind not in ("close", "secondary"):
            raise ValueError(f"no quarantine rule for contact kind {kind!r}")
        named = [
            ("centralised", getattr(self, f"{kind}_centralised_days")),
            ("home", getattr(self, f"{kind}_home_quarantine_days")),
            ("home_health_monitoring", getattr(self, f"{kind}_home_monitoring_days")),
        ]
        return [(stage, days) for stage, days in named if days > 0]


@dataclass(frozen=True)
class TestScheduleRule:
    """The nucleic-acid tests of a contact's quarantine, by quarantine day (day 1
    is the first day of quarantine), and of their home health monitoring."""

    close_days: tuple[int, ...] = (1, 4, 7, 14)
    close_monitoring_days: tuple[int, ...] = (2, 7)
    secondary_days: tuple[int, ...] = (1, 4, 7)

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            object.__setattr__(self, f.name, tuple(getattr(self, f.name)))
            _check_days("test_days", f.name, getattr(self, f.name))

    def days(self, kind: str) -> tuple[int, ...]:
        if kind == "close":
            return self.close_days
        if kind == "secondary":
            return self.secondary_days
        raise ValueError(f"no test days for contact kind {kind!r}")


@dataclass(frozen=True)
class ReleaseRule:
    """Release from quarantine (解除隔离) and of a case from isolation."""

    #: Close contacts: this many final samples, tested with different reagents (双采双检).
    close_final_samples: int = 2
    close_different_reagents: bool = True
    #: Secondary contacts are released at the end of their days if their close
    #: contact's first this-many tests were negative.
    secondary_needs_close_negative_tests: int = 2
    #: Asymptomatic cases: this many negative tests at least this many hours apart.
    case_negative_tests: int = 2
    case_min_gap_hours: int = 24

    def __post_init__(self) -> None:
        _check_counts(
            "release",
            self,
            (
                "close_final_samples",
                "secondary_needs_close_negative_tests",
                "case_negative_tests",
                "case_min_gap_hours",
            ),
        )
        if not isinstance(self.close_different_reagents, bool):
            raise ValueError("release.close_different_reagents must be true or false")


@dataclass(frozen=True)
class DeadlineRule:
    """Deadlines of tracing (时限): from a positive result to every contact under control."""

    #: A positive result is reported as a case within this many hours (逢阳必报、逢阳即报).
    case_report_hours: int = 2
    #: The case's investigation is done within this many hours of the result.
    investigation_hours: int = 24
    #: A new contact is under the village team's control within this many hours.
    control_hours: int = 2
    #: ... and placed in centralised quarantine within this many hours (the article: 8 h).
    transfer_hours: int = 8

    def __post_init__(self) -> None:
        _check_counts("deadlines", self, tuple(f.name for f in dataclasses.fields(self)), 1)


@dataclass(frozen=True)
class ScreeningRule:
    """Screening of pushed lists (协查): how long the five-to-one team has to find a person."""

    #: A pushed person is found on the ground within this many hours of receipt.
    find_within_hours: int = 2

    def __post_init__(self) -> None:
        if not isinstance(self.find_within_hours, int) or self.find_within_hours < 1:
            raise ValueError("screening.find_within_hours must be a whole number of at least 1")


@dataclass(frozen=True)
class QuarantineSiteRule:
    """Centralised quarantine sites (集中隔离点): how many rooms to keep, who shares a
    room, and the health checks in a site."""

    #: Rooms kept ready per active case (the article's rule) ...
    rooms_per_case: int = 100
    #: ... and at least this many per 10,000 residents (NHC, 29 September 2021).
    rooms_per_10000: int = 20
    #: A child younger than this stays with one parent in a family room.
    child_age: int = 14
    #: Health checks (temperature, symptoms) per person per day in a site.
    checks_per_day: int = 2
    #: A temperature at or above this (°C) is a fever.
    fever_celsius: float = 37.3

    def __post_init__(self) -> None:
        _check_counts(
            "quarantine_sites",
            self,
            ("rooms_per_case", "rooms_per_10000", "child_age", "checks_per_day"),
            minimum=1,
        )
        if not isinstance(self.fever_celsius, int | float) or not 35 <= self.fever_celsius <= 42:
            raise ValueError("quarantine_sites.fever_celsius must be a temperature in °C")


@dataclass(frozen=True)
class LivelihoodRule:
    """Supply assurance (保供): how far a staple's price may stray from its
    reference, how long a sealed home's order link works, how often special
    care is followed up."""

    #: A checked price more than this many percent above or below the reference is flagged.
    price_tolerance_percent: float = 10.0
    #: A sealed home's order link (and its short code) works this many days.
    order_link_days: int = 14
    #: A person on the special-care list is followed up at least every this many days.
    care_follow_up_days: int = 1

    def __post_init__(self) -> None:
        _check_counts("livelihood", self, ("order_link_days", "care_follow_up_days"), minimum=1)
        tolerance = self.price_tolerance_percent
        if not isinstance(tolerance, int | float) or not 0 < tolerance < 100:
            raise ValueError("livelihood.price_tolerance_percent must be between 0 and 100")


@dataclass(frozen=True)
class VaccinationRule:
    """COVID-19 vaccination (新冠疫苗接种): each vaccine's course, the bands
    coverage is counted in, and the coverage targets."""

    #: Doses of a full course (全程接种) per vaccine code (the vaccines' table names
    #: them by these codes).
    course_doses: dict = field(default_factory=lambda: {"bbibp": 2, "coronavac": 2})
    #: At least this many days between two doses of a vaccine's course.
    min_interval_days: dict = field(default_factory=lambda: {"bbibp": 21, "coronavac": 21})
    #: Doses beyond the course (a booster, 加强针) a person may receive.
    booster_doses: int = 1
    #: Age bands' lower edges in years, increasing: the first is the youngest
    #: age vaccinated; coverage counts the people from it.
    age_bands: tuple[int, ...] = (3, 12, 18, 60, 80)
    #: Coverage targets, per cent of the people of the vaccinated ages.
    first_dose_target_pct: int = 80
    full_course_target_pct: int = 75

    def __post_init__(self) -> None:
        for name in ("course_doses", "min_interval_days"):
            table = getattr(self, name)
            if not table or any(
                not isinstance(k, str) or not isinstance(v, int) or isinstance(v, bool) or v < 0
                for k, v in table.items()
            ):
                raise ValueError(f"vaccination.{name} must map vaccine codes to whole numbers")
        if any(v < 1 for v in self.course_doses.values()):
            raise ValueError("vaccination.course_doses: a course has at least 1 dose")
        if set(self.min_interval_days) - set(self.course_doses):
            raise ValueError("vaccination.min_interval_days names a vaccine without a course")
        _check_counts("vaccination", self, ("booster_doses",))
        if not self.age_bands or list(self.age_bands) != sorted(set(self.age_bands)):
            raise ValueError("vaccination.age_bands must be increasing ages without repeats")
        for name in ("first_dose_target_pct", "full_course_target_pct"):
            value = getattr(self, name)
            if not isinstance(value, int) or not 0 <= value <= 100:
                raise ValueError(f"vaccination.{name} must be a percentage from 0 to 100")

    def max_dose(self, vaccine: str) -> int:
        return self.course_doses[vaccine] + self.booster_doses


@dataclass(frozen=True)
class ClinicRule:
    """Fever clinics and pharmacies (发热门诊、药店): the clinic staff's standing
    tests and how soon a buyer of fever or cough medicine is followed up."""

    #: Clinic staff are tested every this many days ...
    staff_test_every_days: int = 2
    #: ... scheduled this many days ahead at a time.
    staff_test_horizon_days: int = 14
    #: A buyer reported by a pharmacy is tested within this many hours ...
    buyer_test_hours: int = 24
    #: ... or visited by the village team within this many hours.
    buyer_visit_hours: int = 12

    def __post_init__(self) -> None:
        _check_counts("clinics", self, tuple(f.name for f in dataclasses.fields(self)), 1)


@dataclass(frozen=True)
class DischargeRule:
    """Discharge of a case from the designated hospital (出院标准) and the health
    monitoring after it (Diagnosis and Treatment Plan, 8th edition)."""

    #: Temperature normal (below ``fever_celsius``) for at least this many days.
    normal_temperature_days: int = 3
    fever_celsius: float = 37.3
    #: Respiratory symptoms clearly better; lung imaging clearly better.
    needs_respiratory_improved: bool = True
    needs_imaging_improved: bool = True
    #: This many negative tests in a row, sampled at least this many hours apart.
    negative_tests: int = 2
    tests_min_gap_hours: int = 24
    #: After discharge: this many days of health monitoring (isolation management) ...
    monitoring_days: int = 14
    #: ... and follow-up tests in these weeks after discharge.
    follow_up_weeks: tuple[int, ...] = (2, 4)

    def __post_init__(self) -> None:
        _check_counts(
            "discharge",
            self,
            ("normal_temperature_days", "negative_tests", "tests_min_gap_hours", "monitoring_days"),
        )
        _check_days("discharge", "follow_up_weeks", self.follow_up_weeks)
        if not isinstance(self.fever_celsius, int | float) or not 35 <= self.fever_celsius <= 42:
            raise ValueError("discharge.fever_celsius must be a temperature in °C")


#: The seven protective supplies of the article, by the code the supplies app keeps.
SUPPLY_ITEMS = (
    "masks",
    "protective_suits",
    "isolation_gowns",
    "eye_masks",
    "goggles",
    "gloves",
    "shoe_covers",
)


def _default_cover_days() -> dict[str, int]:
    return {"hospital": 30, "cdc": 10}


def _default_per_1000_tubes() -> dict[str, float]:
    return {
        "masks": 60.0,
        "protective_suits": 25.0,
        "isolation_gowns": 25.0,
        "eye_masks": 25.0,
        "goggles": 5.0,
        "gloves": 250.0,
        "shoe_covers": 50.0,
    }


def _default_per_quarantined_person_day() -> dict[str, float]:
    return {
        "masks": 3.0,
        "protective_suits": 0.2,
        "isolation_gowns": 0.3,
        "eye_masks": 0.1,
        "goggles": 0.02,
        "gloves": 2.0,
        "shoe_covers": 0.4,
    }


@dataclass(frozen=True)
class SuppliesRule:
    """Stocks of protective supplies (防疫物资储备): days of cover at the peak's daily
    use, by kind of holder, and the use planned per tube sampled and per person
    in quarantine (the shortfall forecast's coefficients)."""

    #: Days of peak use a holder keeps, by kind (医疗机构 30 天, 疾控机构 10 天).
    #: A kind not named here has no target and raises no alert.
    cover_days: dict = field(default_factory=_default_cover_days)
    #: Items used per 1,000 tubes sampled (samplers' protective equipment).
    per_1000_tubes: dict = field(default_factory=_default_per_1000_tubes)
    #: Items used per person in centralised quarantine and day (residents and staff).
    per_quarantined_person_day: dict = field(default_factory=_default_per_quarantined_person_day)
    #: Days the shortfall forecast looks ahead.
    forecast_days: int = 14

    def __post_init__(self) -> None:
        for name in ("cover_days", "per_1000_tubes", "per_quarantined_person_day"):
            table = getattr(self, name)
            for key, value in table.items():
                if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
                    raise ValueError(f"supplies.{name}.{key} must be a number of at least 0")
        unknown = sorted(
            (set(self.per_1000_tubes) | set(self.per_quarantined_person_day)) - set(SUPPLY_ITEMS)
        )
        if unknown:
            raise ValueError(f"supplies: unknown items {', '.join(unknown)}")
        if not isinstance(self.forecast_days, int) or not 1 <= self.forecast_days <= 90:
            raise ValueError("supplies.forecast_days must be a whole number from 1 to 90")


#: Section name → dataclass. Other issues register their sections here.
SECTIONS: dict[str, type] = {
    "exposure": ExposureRule,
    "companion": CompanionRule,
    "contacts": ContactRule,
    "quarantine": QuarantineRule,
    "test_days": TestScheduleRule,
    "release": ReleaseRule,
    "deadlines": DeadlineRule,
    "testing": TestingRule,
    "screening": ScreeningRule,
    "health_codes": HealthCodeRules,
    "quarantine_sites": QuarantineSiteRule,
    "zones": ZoneRules,
    "livelihood": LivelihoodRule,
    "vaccination": VaccinationRule,
    "clinics": ClinicRule,
    "discharge": DischargeRule,
    "supplies": SuppliesRule,
    "checkpoints": CheckpointRule,
}


@dataclass(frozen=True)
class Protocol:
    """One protocol file, parsed."""

    info: ProtocolInfo
    path: Path
    exposure: ExposureRule = field(default_factory=ExposureRule)
    companion: CompanionRule = field(default_factory=CompanionRule)
    contacts: ContactRule = field(default_factory=ContactRule)
    quarantine: QuarantineRule = field(default_factory=QuarantineRule)
    test_days: TestScheduleRule = field(default_factory=TestScheduleRule)
    release: ReleaseRule = field(default_factory=ReleaseRule)
    deadlines: DeadlineRule = field(default_factory=DeadlineRule)
    testing: TestingRule = field(default_factory=TestingRule)
    screening: ScreeningRule = field(default_factory=ScreeningRule)
    health_codes: HealthCodeRules = field(default_factory=HealthCodeRules)
    quarantine_sites: QuarantineSiteRule = field(default_factory=QuarantineSiteRule)
    zones: ZoneRules = field(default_factory=ZoneRules)
    livelihood: LivelihoodRule = field(default_factory=LivelihoodRule)
    vaccination: VaccinationRule = field(default_factory=VaccinationRule)
    clinics: ClinicRule = field(default_factory=ClinicRule)
    discharge: DischargeRule = field(default_factory=DischargeRule)
    supplies: SuppliesRule = field(default_factory=SuppliesRule)
    checkpoints: CheckpointRule = field(default_factory=CheckpointRule)
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


def _is_a(value: Any, kind: Any) -> bool:
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is dt.date:
        return isinstance(value, dt.date) and not isinstance(value, dt.datetime)
    return isinstance(value, kind)


def _check_type(section: str, name: str, value: Any, hint: Any) -> None:
    """A value of the type the field declares (TOML gives any): wrong types are
    refused here, by name, rather than failing later where a rule is used."""
    if typing.get_origin(hint) is tuple:
        item = typing.get_args(hint)[0]
        if not isinstance(value, list | tuple) or not all(_is_a(v, item) for v in value):
            raise ValueError(f"[{section}] {name}: must be a list of {item.__name__}")
    elif not _is_a(value, hint):
        raise ValueError(f"[{section}] {name}: must be of type {hint.__name__}")


def _build(cls: type, section: str, values: Any) -> Any:
    if not isinstance(values, dict):
        raise ValueError(f"[{section}]: must be a table of keys, not {type(values).__name__}")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise ValueError(f"[{section}]: unknown keys {', '.join(unknown)}")
    missing = sorted(
        name
        for name, f in fields.items()
        if name not in values
        and f.default is dataclasses.MISSING
        and f.default_factory is dataclasses.MISSING
    )
    if missing:
        raise ValueError(f"[{section}]: missing keys {', '.join(missing)}")
    hints = typing.get_type_hints(cls)
    values = dict(values)
    for name, value in values.items():
        if dataclasses.is_dataclass(hints[name]):
            # A sub-table (``[zones.sealed]``) is read into its own dataclass.
            values[name] = _build(hints[name], f"{section}.{name}", value)
            continue
        _check_type(section, name, value, hints[name])
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
        try:
            data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as error:
            raise ValueError(f"{path}: not a protocol file: {error}") from None
    if "protocol" not in data:
        raise ValueError(f"{path}: missing [protocol] header")
    info = _build(ProtocolInfo, "protocol", data.pop("protocol"))
    parsed = {
        name: _build(cls, name, data.pop(name)) for name, cls in SECTIONS.items() if name in data
    }
    if "contacts" not in parsed or not parsed["contacts"].settings:
        raise ValueError(f"{path}: [contacts] settings must list the exposure settings that count")
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
