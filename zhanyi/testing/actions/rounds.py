"""Rounds (检测轮次) and standing schedules: scope → target population, exemptions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db import connection, transaction
from django.db.models import Q, Value
from django.utils.translation import gettext as _

from zhanyi.core import audit
from zhanyi.core.actors import actor_name
from zhanyi.engine.protocol import DEFAULT_PROTOCOL, LOCAL_TZ
from zhanyi.people.models import Person
from zhanyi.places.models import Area, Place
from zhanyi.testing.models import RoundKind, RoundTarget, Schedule, TestingRound

from .bulk import analyze
from .common import InputError, Problem, refuse, require_operations, testing_rule


def _common_area(areas: Sequence[Area]) -> Area:
    """The lowest area containing all of ``areas``."""
    paths = [a.path for a in areas]
    prefix = paths[0]
    for p in paths[1:]:
        while not p.startswith(prefix):
            prefix = prefix[: prefix.rstrip("/").rfind("/") + 1]
    code = prefix.rstrip("/").rsplit("/", 1)[-1]
    return Area.objects.get(code=code)


def _check_round_input(
    *, name, kind, starts_at, ends_at, pool_size, min_age, max_age, protocol, scope
) -> int:
    problems = []
    if not name or not name.strip():
        problems.append(Problem(None, "name", "required", _("A round needs a name.")))
    if kind not in RoundKind.values:
        problems.append(
            Problem(None, "kind", "invalid", _("Unknown kind of round."), value=str(kind))
        )
    if starts_at is None or ends_at is None or starts_at.tzinfo is None or ends_at.tzinfo is None:
        problems.append(
            Problem(None, "starts_at", "invalid", _("The time window needs a start and an end."))
        )
    elif ends_at <= starts_at:
        problems.append(
            Problem(None, "ends_at", "invalid", _("The round must end after it starts."))
        )
    rule = testing_rule(protocol)
    if pool_size is None:
        pool_size = rule.default_pool_size
    if pool_size not in rule.pool_sizes:
        problems.append(
            Problem(
                None,
                "pool_size",
                "invalid",
                _("Pool size %(k)s is not allowed; allowed: %(sizes)s.")
                % {"k": pool_size, "sizes": ", ".join(map(str, rule.pool_sizes))},
            )
        )
    if min_age is not None and max_age is not None and min_age > max_age:
        problems.append(
            Problem(None, "max_age", "invalid", _("The maximum age is below the minimum age."))
        )
    if not scope:
        problems.append(
            Problem(None, "scope_areas", "required", _("Name at least one area or place."))
        )
    if problems:
        raise InputError(problems)
    return pool_size


def _birth_date_years_ago(today: dt.date, years: int) -> dt.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def target_persons(
    scope_areas: Iterable[Area],
    scope_places: Iterable[Place] = (),
    *,
    min_age: int | None = None,
    max_age: int | None = None,
    on: dt.date,
):
    """Live persons living in the scope: in an area (by path, grids through their
    household) or in a household at one of the places; with a village to count them by."""
    cond = Q()
    for area in scope_areas:
        if area.level == "grid":
            cond |= Q(household__grid=area)
        else:
            cond |= Q(village__path__startswith=area.path)
    places = list(scope_places)
    if places:
        cond |= Q(household__place__in=places)
    qs = Person.objects.filter(cond, merged_into=None, village__isnull=False)
    if min_age is not None:
        qs = qs.filter(birth_date__lte=_birth_date_years_ago(on, min_age))
    if max_age is not None:
        # Younger than max_age + 1 on the day.
        qs = qs.filter(birth_date__gt=_birth_date_years_ago(on, max_age + 1))
    return qs


def _materialise_targets(round_: TestingRound, persons) -> int:
    """INSERT … SELECT: the target population in one statement, whatever its size."""
    select = persons.order_by().values_list(
        Value(round_.pk), "id", "village_id", Value(False), Value("")
    )
    sql, params = select.query.sql_with_params()
    table = RoundTarget._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (round_id, person_id, village_id, exempt, exempt_reason) {sql}",
            params,
        )
        return cursor.rowcount


@transaction.atomic
def do_create_round(
    *,
    acting_user,
    name: str,
    kind: str,
    scope_areas: Sequence[Area] = (),
    scope_places: Sequence[Place] = (),
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    pool_size: int | None = None,
    min_age: int | None = None,
    max_age: int | None = None,
    protocol: str = DEFAULT_PROTOCOL,
    schedule: Schedule | None = None,
    number: int = 1,
    request=None,
) -> TestingRound:
    """Create a round and its target population (everyone living in the scope)."""
    scope_areas = list(scope_areas)
    scope_places = list(scope_places)
    pool_size = _check_round_input(
        name=name,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        pool_size=pool_size,
        min_age=min_age,
        max_age=max_age,
        protocol=protocol,
        scope=scope_areas + scope_places,
    )
    require_operations(acting_user)
    for area in scope_areas + [p.area for p in scope_places]:
        require_operations(acting_user, area)
    area = _common_area(scope_areas + [p.area for p in scope_places])
    round_ = TestingRound.objects.create(
        name=name.strip()[:100],
        kind=kind,
        area=area,
        starts_at=starts_at,
        ends_at=ends_at,
        pool_size=pool_size,
        min_age=min_age,
        max_age=max_age,
        protocol=protocol,
        schedule=schedule,
        number=number,
        created_by_name=actor_name(acting_user),
    )
    round_.scope_areas.set(scope_areas)
    round_.scope_places.set(scope_places)
    persons = target_persons(
        scope_areas,
        scope_places,
        min_age=min_age,
        max_age=max_age,
        on=starts_at.astimezone(LOCAL_TZ).date(),  # ages as of the day in China
    )
    targets = _materialise_targets(round_, persons)
    analyze(RoundTarget, rows=targets)
    audit.record(
        actor=acting_user,
        action="testing.round_create",
        obj=round_,
        detail={"kind": kind, "pool_size": pool_size, "targets": targets},
        request=request,
        area=area,
    )
    return round_


@transaction.atomic
def do_set_exempt(
    round_: TestingRound,
    person_ids: Sequence[int],
    *,
    reason: str,
    acting_user,
    request=None,
) -> int:
    """Mark targets exempt (免检: bedridden, infant, already a case) with a reason."""
    require_operations(acting_user, round_.area)
    if not reason.strip():
        refuse("reason", "required", _("An exemption needs a reason."))
    targets = RoundTarget.objects.filter(round=round_, person_id__in=list(person_ids))
    found = set(targets.values_list("person_id", flat=True))
    missing = sorted(set(person_ids) - found)
    if missing:
        refuse(
            "person_ids",
            "not_target",
            _("Not in this round's target population: %(ids)s")
            % {"ids": ", ".join(map(str, missing[:20]))},
        )
    n = targets.update(exempt=True, exempt_reason=reason.strip()[:100])
    audit.record(
        actor=acting_user,
        action="testing.exempt",
        obj=round_,
        detail={"persons": sorted(found)[:1000], "count": n, "reason": reason[:100]},
        request=request,
        area=round_.area,
    )
    return n


@transaction.atomic
def do_create_schedule(
    *,
    acting_user,
    name: str,
    kind: str,
    scope_areas: Sequence[Area] = (),
    scope_places: Sequence[Place] = (),
    every_days: int,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    pool_size: int | None = None,
    min_age: int | None = None,
    max_age: int | None = None,
    request=None,
) -> Schedule:
    """A standing schedule: the scope tested every ``every_days`` days in the window."""
    scope_areas = list(scope_areas)
    scope_places = list(scope_places)
    pool_size = _check_round_input(
        name=name,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        pool_size=pool_size,
        min_age=min_age,
        max_age=max_age,
        protocol=DEFAULT_PROTOCOL,
        scope=scope_areas + scope_places,
    )
    if not isinstance(every_days, int) or every_days < 1:
        refuse("every_days", "invalid", _("A schedule repeats every 1 day or more."))
    for area in scope_areas + [p.area for p in scope_places]:
        require_operations(acting_user, area)
    require_operations(acting_user)
    schedule = Schedule.objects.create(
        name=name.strip()[:100],
        kind=kind,
        area=_common_area(scope_areas + [p.area for p in scope_places]),
        every_days=every_days,
        starts_at=starts_at,
        ends_at=ends_at,
        pool_size=pool_size,
        min_age=min_age,
        max_age=max_age,
    )
    schedule.scope_areas.set(scope_areas)
    schedule.scope_places.set(scope_places)
    audit.record(
        actor=acting_user,
        action="testing.schedule_create",
        obj=schedule,
        detail={"every_days": every_days},
        request=request,
        area=schedule.area,
    )
    return schedule


def schedule_periods(
    schedule: Schedule, until: dt.datetime
) -> list[tuple[int, dt.datetime, dt.datetime]]:
    """(number, start, end) of each period that starts before ``until`` and the schedule's end."""
    step = dt.timedelta(days=schedule.every_days)
    out = []
    n, start = 1, schedule.starts_at
    while start < min(until, schedule.ends_at):
        out.append((n, start, min(start + step, schedule.ends_at)))
        n += 1
        start += step
    return out


@transaction.atomic
def do_run_schedule(schedule: Schedule, *, until: dt.datetime, acting_user) -> list[TestingRound]:
    """Create the schedule's rounds up to ``until`` (idempotent: existing numbers are kept)."""
    require_operations(acting_user, schedule.area)
    existing = set(schedule.rounds.values_list("number", flat=True))
    created = []
    areas = list(schedule.scope_areas.all())
    places = list(schedule.scope_places.all())
    for number, start, end in schedule_periods(schedule, until):
        if number in existing:
            continue
        created.append(
            do_create_round(
                acting_user=acting_user,
                name=f"{schedule.name} #{number}",
                kind=schedule.kind,
                scope_areas=areas,
                scope_places=places,
                starts_at=start,
                ends_at=end,
                pool_size=schedule.pool_size,
                min_age=schedule.min_age,
                max_age=schedule.max_age,
                schedule=schedule,
                number=number,
            )
        )
    return created
