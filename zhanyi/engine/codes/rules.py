"""Health-code rules (健康码赋码规则): a person's facts → colour, rule, reason, until.

``decide`` is a pure function: the same facts, rules and moment always give
the same ``CodeDecision``, and neither the person's id nor a fact's ``source``
changes it (``decide_many`` relies on that to decide once for persons with
the same facts). Every rule that applies to the person is evaluated;
the most severe colour wins (red over yellow over green), and among rules of
one colour the first in ``RULE_ORDER``. The numbers (quarantine days, how many
negative tests clear a yellow code, which colour each situation gets) come
from the ``[health_codes]`` section of the protocol file (``HealthCodeRules``).

``until`` is when the winning rule stops applying by the clock alone (None:
only a new fact, such as a negative test or a release, ends it). ``review_at``
is the earliest moment at which *any* rule may start or stop applying by the
clock, so a scheduler knows when to decide again even if the colour shown
now has no ``until``.

Rule ids are stable (they are stored in every code's history):

======================================  ======================================
``case.active``                          a case not released (red)
``case.recovered``                       a released case, monitoring (yellow)
``test.positive``                        a positive single-tube test (red)
``pool.positive``                        a positive pool, single tube pending
``quarantine.centralised``               in centralised quarantine now
``quarantine.home``                      in home quarantine now
``contact.close``                        close contact (密接), quarantine days
``contact.close.monitoring``             close contact, home health monitoring
``contact.secondary``                    secondary contact (次密接)
``contact.secondary.monitoring``         secondary contact, monitoring
``quarantine.home_health_monitoring``    in home health monitoring now
``contact.companion``                    spatiotemporal companion (时空伴随者)
``arrival.risk_area``                    arrival from a medium/high-risk area
``none``                                 no fact calls for a colour (green)
======================================  ======================================
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import operator
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal, Protocol

from zhanyi.engine import release

from .facts import ContactFact, PersonFacts, TestFact

Colour = Literal["red", "yellow", "green"]
COLOURS: tuple[str, ...] = ("red", "yellow", "green")
SEVERITY = {"red": 2, "yellow": 1, "green": 0}

RULE_ORDER: tuple[str, ...] = (
    "case.active",
    "test.positive",
    "pool.positive",
    "quarantine.centralised",
    "quarantine.home",
    "contact.close",
    "contact.secondary",
    "case.recovered",
    "contact.close.monitoring",
    "contact.secondary.monitoring",
    "quarantine.home_health_monitoring",
    "contact.companion",
    "arrival.risk_area",
    "none",
)

_ORDER = {rule: i for i, rule in enumerate(RULE_ORDER)}
_FAR = dt.datetime.max.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class HealthCodeRules:
    """The ``[health_codes]`` section of a protocol file (健康码规则).

    ``*_colour`` fields say which colour a situation gets; ``*_days`` how long
    it lasts by the clock; ``*_negative_tests`` how many negative tests, at
    least ``*_test_gap_hours`` apart and sampled after the exposure or
    arrival, turn a yellow code back to green.
    """

    source: str = ""
    status: str = ""
    case_colour: str = "red"
    case_recovered_colour: str = "yellow"
    case_recovered_days: int = 14
    positive_test_colour: str = "red"
    positive_pool_colour: str = "red"
    centralised_quarantine_colour: str = "red"
    home_quarantine_colour: str = "red"
    home_health_monitoring_colour: str = "yellow"
    companion_colour: str = "yellow"
    companion_negative_tests: int = 2
    companion_test_gap_hours: int = 24
    #: A companion's yellow code ends this many days after they were last
    #: with the case even without the tests: by then they no longer meet the
    #: rule (together "within the last 14 days"). 0: only the tests end it.
    companion_end_days: int = 14
    arrival_colour: str = "yellow"
    arrival_risk_levels: tuple[str, ...] = ("high", "medium")
    arrival_negative_tests: int = 2
    arrival_test_gap_hours: int = 24
    override_max_days: int = 14

    def __post_init__(self) -> None:
        object.__setattr__(self, "arrival_risk_levels", tuple(self.arrival_risk_levels))
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name.endswith("_colour") and value not in COLOURS:
                raise ValueError(
                    f"health_codes.{f.name} must be one of {', '.join(COLOURS)}, not {value!r}"
                )
            if f.type == "int" and (
                not isinstance(value, int) or isinstance(value, bool) or value < 0
            ):
                raise ValueError(f"health_codes.{f.name} must be a non-negative whole number")
        unknown = set(self.arrival_risk_levels) - {"high", "medium"}
        if unknown:
            raise ValueError(
                f"health_codes.arrival_risk_levels: unknown levels {', '.join(sorted(unknown))}"
            )
        if self.override_max_days < 1:
            raise ValueError("health_codes.override_max_days must be at least 1")


class QuarantineStages(Protocol):
    """What the rules need of the protocol's ``[quarantine]`` section
    (``zhanyi.engine.protocol.QuarantineRule``)."""

    #: What the days count from: "last_exposure" or "quarantine".
    count_from: str

    def stages(self, kind: str) -> list[tuple[str, int]]: ...

    # Hashable: ``CodeRules`` is hashed with them.
    def __hash__(self) -> int: ...


@dataclass(frozen=True)
class CodeRules:
    """Everything ``decide`` reads from a protocol: the ``[health_codes]``
    section and the quarantine stages of close and secondary contacts."""

    codes: HealthCodeRules
    quarantine: QuarantineStages
    #: A contact traced under another protocol (``ContactFact.protocol``) keeps
    #: that protocol's quarantine days: ``{"edition-9": QuarantineRule, …}``.
    quarantine_by_protocol: Mapping[str, QuarantineStages] = dataclasses.field(default_factory=dict)

    @classmethod
    def from_protocol(cls, protocol, others: Iterable = ()) -> CodeRules:
        """The rules of ``protocol``, plus the quarantine days of ``others``."""
        return cls(
            codes=protocol.health_codes,
            quarantine=protocol.quarantine,
            quarantine_by_protocol={p.info.name: p.quarantine for p in (protocol, *others)},
        )

    def quarantine_for(self, protocol_name: str) -> QuarantineStages:
        return self.quarantine_by_protocol.get(protocol_name, self.quarantine)


@dataclass(frozen=True)
class CodeDecision:
    """A health code (健康码) as the rules decide it."""

    colour: Colour
    rule: str
    reason: str
    until: dt.datetime | None = None
    review_at: dt.datetime | None = None


@dataclass(frozen=True)
class _Hit:
    colour: str
    rule: str
    reason: str
    until: dt.datetime | None


@functools.lru_cache(maxsize=65536)
def _ts(value: dt.datetime) -> str:
    # Cached: a city's contacts share a few thousand distinct times at most.
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _check_aware(value: dt.datetime | None, what: str, person_id: int) -> None:
    if value is not None and value.tzinfo is None:
        raise ValueError(f"person {person_id}: {what} must be timezone-aware")


def _validate(facts: PersonFacts) -> None:
    pid = facts.person_id
    for c in facts.cases:
        _check_aware(c.reported_at, "case.reported_at", pid)
        _check_aware(c.released_at, "case.released_at", pid)
    for k in facts.contacts:
        _check_aware(k.last_exposure_at, "contact.last_exposure_at", pid)
        _check_aware(k.identified_at, "contact.identified_at", pid)
        _check_aware(k.released_at, "contact.released_at", pid)
        _check_aware(k.quarantined_at, "contact.quarantined_at", pid)
    for q in facts.quarantines:
        _check_aware(q.start, "quarantine.start", pid)
        _check_aware(q.end, "quarantine.end", pid)
    for t in facts.tests:
        _check_aware(t.sampled_at, "test.sampled_at", pid)
    for a in facts.arrivals:
        _check_aware(a.arrived_at, "arrival.arrived_at", pid)


def _cleared_by_tests(
    tests: Iterable[TestFact], after: dt.datetime, needed: int, gap_hours: int, now: dt.datetime
) -> tuple[bool, int]:
    """Whether ``needed`` negative tests sampled after ``after`` (and by ``now``),
    each at least ``gap_hours`` after the one counted before it, exist; and how
    many were counted."""
    gap = dt.timedelta(hours=gap_hours)
    counted = 0
    last: dt.datetime | None = None
    for t in sorted(tests, key=lambda t: t.sampled_at):
        if t.result != "negative" or t.sampled_at < after or t.sampled_at > now:
            continue
        if last is None or t.sampled_at - last >= gap:
            counted += 1
            last = t.sampled_at
    return counted >= needed, counted


def _contact_stages(
    contact: ContactFact, quarantine: QuarantineStages
) -> list[tuple[str, dt.datetime, dt.datetime]]:
    """The contact's stages ``(stage, start, end)`` from the protocol's
    ``[quarantine]`` days, counted from its anchor (``count_from``: the last
    exposure, or the quarantine) as the test days are
    (``zhanyi.engine.release``).

    ``released_at`` (release from quarantine) ends the quarantine stages
    (centralised and home) when it was recorded, early or late; home health
    monitoring, which follows release, then runs its days from the release.
    """
    start = release.anchor(
        quarantine,  # type: ignore[arg-type]
        last_exposure_at=contact.last_exposure_at,
        quarantined_at=contact.quarantined_at,
        identified_at=contact.identified_at,
    )
    return [
        (p.stage, p.start, p.end)
        for p in release.periods(
            quarantine.stages(contact.kind), start, released_at=contact.released_at
        )
    ]


class _Findings:
    """What the rules found so far at ``now``: the rules that apply (``hits``)
    and every future clock boundary (``boundaries``, for ``review_at``)."""

    __slots__ = ("boundaries", "hits", "now")

    def __init__(self, now: dt.datetime) -> None:
        self.now = now
        self.hits: list[_Hit] = []
        self.boundaries: set[dt.datetime] = set()

    def later(self, value: dt.datetime | None) -> None:
        """Note ``value`` as a boundary if it is still to come."""
        if value is not None and value > self.now:
            self.boundaries.add(value)

    def hit(self, colour: str, rule: str, reason: str, until: dt.datetime | None) -> None:
        """Note that ``rule`` applies now."""
        self.hits.append(_Hit(colour, rule, reason, until))


def _case_hits(facts: PersonFacts, codes: HealthCodeRules, found: _Findings) -> dt.datetime | None:
    """Cases (确诊病例 / 无症状感染者): active and recovered; returns the latest
    release from a case, before which a positive test no longer counts."""
    now = found.now
    latest_release: dt.datetime | None = None
    for case in facts.cases:
        if case.reported_at > now:
            found.later(case.reported_at)
            continue
        if case.released_at is None or case.released_at > now:
            found.later(case.released_at)
            found.hit(
                codes.case_colour,
                "case.active",
                f"{case.classification} case reported {_ts(case.reported_at)}",
                case.released_at,
            )
            continue
        if latest_release is None or case.released_at > latest_release:
            latest_release = case.released_at
        monitoring_end = case.released_at + dt.timedelta(days=codes.case_recovered_days)
        found.later(monitoring_end)
        if now < monitoring_end:
            found.hit(
                codes.case_recovered_colour,
                "case.recovered",
                f"{case.classification} case released {_ts(case.released_at)}; "
                f"health monitoring for {codes.case_recovered_days} days",
                monitoring_end,
            )
    return latest_release


def _test_hits(
    tests: list[TestFact],
    latest_release: dt.datetime | None,
    codes: HealthCodeRules,
    found: _Findings,
) -> None:
    """Positive test results (核酸检测): a single tube, or a pool not yet re-tested
    in a single tube. ``tests`` are those known by now."""
    single = [t for t in tests if not t.pooled]
    for t in tests:
        if t.result != "positive":
            continue
        if latest_release is not None and t.sampled_at <= latest_release:
            continue  # a positive from an illness the person was released from
        if not t.pooled:
            found.hit(
                codes.positive_test_colour,
                "test.positive",
                f"single-tube test sampled {_ts(t.sampled_at)} is positive",
                None,
            )
            continue
        retested = [s for s in single if s.sampled_at >= t.sampled_at]
        if not retested:
            found.hit(
                codes.positive_pool_colour,
                "pool.positive",
                f"pooled sample of {_ts(t.sampled_at)} is positive; single-tube re-test pending",
                None,
            )


def _quarantine_hits(facts: PersonFacts, codes: HealthCodeRules, found: _Findings) -> None:
    """Quarantine periods (集中隔离 / 居家隔离 / 居家健康监测) as recorded."""
    quarantine_rules = {
        "centralised": (codes.centralised_quarantine_colour, "quarantine.centralised"),
        "home": (codes.home_quarantine_colour, "quarantine.home"),
        "home_health_monitoring": (
            codes.home_health_monitoring_colour,
            "quarantine.home_health_monitoring",
        ),
    }
    now = found.now
    for q in facts.quarantines:
        found.later(q.start)
        found.later(q.end)
        if q.start <= now and (q.end is None or now < q.end):
            colour, rule = quarantine_rules[q.kind]
            label = q.kind.replace("_", " ")
            found.hit(colour, rule, f"in {label} since {_ts(q.start)}", q.end)


def _traced_contact_hits(contact: ContactFact, rules: CodeRules, found: _Findings) -> None:
    """A close or secondary contact (密接 / 次密接): the quarantine or monitoring
    stage it is in now, by the days of the protocol it was traced under."""
    codes = rules.codes
    now = found.now
    label = "close contact" if contact.kind == "close" else "secondary contact"
    exposed = _ts(contact.last_exposure_at)
    for stage, start, end in _contact_stages(contact, rules.quarantine_for(contact.protocol)):
        found.later(end)
        if not start <= now < end:
            continue
        if stage == "home_health_monitoring":
            colour = codes.home_health_monitoring_colour
            rule, what = f"contact.{contact.kind}.monitoring", "home health monitoring"
        else:
            colour = (
                codes.centralised_quarantine_colour
                if stage == "centralised"
                else codes.home_quarantine_colour
            )
            rule, what = f"contact.{contact.kind}", f"{stage} quarantine"
        found.hit(colour, rule, f"{label} last exposed {exposed}; {what} until {_ts(end)}", end)


def _companion_hits(
    contact: ContactFact, tests: list[TestFact], codes: HealthCodeRules, found: _Findings
) -> None:
    """A spatiotemporal companion (时空伴随者): yellow until released, until
    enough negative tests after the last time together, or until
    ``companion_end_days`` after it (the protocol's end)."""
    if contact.released_at is not None and contact.released_at <= found.now:
        return
    found.later(contact.released_at)
    end = contact.released_at
    if codes.companion_end_days:
        ends = contact.last_exposure_at + dt.timedelta(days=codes.companion_end_days)
        found.later(ends)
        if found.now >= ends:
            return
        end = min(end, ends) if end is not None else ends
    cleared, counted = _cleared_by_tests(
        tests,
        contact.last_exposure_at,
        codes.companion_negative_tests,
        codes.companion_test_gap_hours,
        found.now,
    )
    if not cleared:
        found.hit(
            codes.companion_colour,
            "contact.companion",
            f"spatiotemporal companion of a case (last together "
            f"{_ts(contact.last_exposure_at)}); {counted} of "
            f"{codes.companion_negative_tests} negative tests",
            end,
        )


def _arrival_hits(
    facts: PersonFacts, tests: list[TestFact], codes: HealthCodeRules, found: _Findings
) -> None:
    """Arrivals from medium- and high-risk areas (中高风险地区来漳人员): yellow
    until enough negative tests since the arrival; time alone does not turn
    the code green (the code table: "back to green: tests negative")."""
    now = found.now
    for a in facts.arrivals:
        if a.risk_level not in codes.arrival_risk_levels:
            continue
        if a.arrived_at > now:
            found.later(a.arrived_at)
            continue
        cleared, counted = _cleared_by_tests(
            tests, a.arrived_at, codes.arrival_negative_tests, codes.arrival_test_gap_hours, now
        )
        if not cleared:
            origin = f" from {a.origin}" if a.origin else ""
            found.hit(
                codes.arrival_colour,
                "arrival.risk_area",
                f"arrived{origin} ({a.risk_level}-risk area) {_ts(a.arrived_at)}; "
                f"{counted} of {codes.arrival_negative_tests} negative tests",
                None,
            )


def _hits(facts: PersonFacts, rules: CodeRules, now: dt.datetime) -> tuple[list[_Hit], set]:
    """Every rule that applies now, and every future clock boundary (for review_at)."""
    codes = rules.codes
    found = _Findings(now)
    latest_release = _case_hits(facts, codes, found)
    # A result counts from the time it is known.
    tests = [t for t in facts.tests if t.sampled_at <= now]
    _test_hits(tests, latest_release, codes, found)
    _quarantine_hits(facts, codes, found)
    for c in facts.contacts:
        if c.identified_at > now:
            found.later(c.identified_at)
        elif c.kind in ("close", "secondary"):
            _traced_contact_hits(c, rules, found)
        else:
            _companion_hits(c, tests, codes, found)
    _arrival_hits(facts, tests, codes, found)
    return found.hits, found.boundaries


_GREEN = CodeDecision("green", "none", "no fact calls for a colour", None, None)


def decide(facts: PersonFacts, rules: CodeRules, now: dt.datetime) -> CodeDecision:
    """The person's health code at ``now`` (timezone-aware) under ``rules``."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if not (facts.cases or facts.contacts or facts.quarantines or facts.tests or facts.arrivals):
        return _GREEN
    _validate(facts)
    hits, boundaries = _hits(facts, rules, now)
    review_at = min(boundaries) if boundaries else None
    if not hits:
        return dataclasses.replace(_GREEN, review_at=review_at)
    # The most severe colour; then the rule order; then the longest-lasting
    # (None, open-ended, lasts longest) so that "until" is not too early.
    best = (
        hits[0]
        if len(hits) == 1
        else min(
            hits,
            key=lambda h: (-SEVERITY[h.colour], _ORDER[h.rule], -(h.until or _FAR).timestamp()),
        )
    )
    return CodeDecision(best.colour, best.rule, best.reason, best.until, review_at)  # type: ignore[arg-type]


@functools.lru_cache(maxsize=32)
def _without_source(cls: type) -> operator.attrgetter:
    """Every field of a fact class but ``source``, read as one tuple."""
    return operator.attrgetter(*(f.name for f in dataclasses.fields(cls) if f.name != "source"))


def _signature(facts: PersonFacts) -> tuple:
    """The facts as the rules read them: without the person's id and the
    facts' sources, which no rule reads (they say where a fact came from)."""
    return tuple(
        # A class is hashable; mypy checks it against Hashable through the
        # instances' unbound __hash__ and refuses it.
        tuple(map(_without_source(type(items[0])), items))  # type: ignore[arg-type]
        if items
        else ()
        for items in (facts.cases, facts.contacts, facts.quarantines, facts.tests, facts.arrivals)
    )


def decide_many(
    facts: Iterable[PersonFacts], rules: CodeRules, now: dt.datetime
) -> dict[int, CodeDecision]:
    """``decide`` for many persons at once: ``{person_id: CodeDecision}``.

    Persons whose facts are the same apart from their id and the facts'
    sources share one ``decide`` call (``decide`` is pure and reads neither):
    a contact graph's hundreds of thousands of contacts have a few thousand
    distinct exposure times. Persons without facts are green at once."""
    out: dict[int, CodeDecision] = {}
    decided: dict[tuple, CodeDecision] = {}
    for f in facts:
        if not (f.cases or f.contacts or f.quarantines or f.tests or f.arrivals):
            out[f.person_id] = decide(f, rules, now)
            continue
        key = _signature(f)
        decision = decided.get(key)
        if decision is None:
            decision = decided[key] = decide(f, rules, now)
        out[f.person_id] = decision
    return out
