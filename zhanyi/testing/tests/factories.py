"""Rounds, sites, labs and people for the testing tests, written through the actions."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from zhanyi.core.audit import SystemActor
from zhanyi.handoffs import schedule
from zhanyi.handoffs.actions import HandoffSpec, do_create_handoffs
from zhanyi.handoffs.schedule import ScheduledTest
from zhanyi.people.models import Person
from zhanyi.testing import actions
from zhanyi.testing.models import Lab, SamplingSite

SYSTEM = SystemActor("test")
_numbers = itertools.count(1)


def person(village, name: str | None = None, **extra) -> Person:
    n = next(_numbers)
    return Person.objects.create(name=name or f"受检{n}", village=village, **extra)


def people(village, n: int) -> list[Person]:
    return [person(village) for _ in range(n)]


def site(area, name: str = "东铺头采样点") -> SamplingSite:
    return actions.do_create_site(acting_user=SYSTEM, name=name, area=area, teams=["一队"])


def lab(area, code: str = "LAB1") -> Lab:
    return actions.do_create_lab(acting_user=SYSTEM, code=code, name=f"{code} 检测机构", area=area)


def round_(areas, *, pool_size: int = 10, kind: str = "whole_population", **extra):
    now = timezone.now()
    return actions.do_create_round(
        acting_user=SYSTEM,
        name=extra.pop("name", "全员核酸第一轮"),
        kind=kind,
        scope_areas=areas,
        starts_at=extra.pop("starts_at", now - dt.timedelta(hours=2)),
        ends_at=extra.pop("ends_at", now + dt.timedelta(days=2)),
        pool_size=pool_size,
        **extra,
    )


def scan(tube: str, persons, *, site=None, round=None, user=SYSTEM, **extra):
    return actions.do_scan(
        acting_user=user,
        barcode=tube,
        codes=[actions.qr_payload(p.pk) for p in persons],
        site=site,
        round=round,
        **extra,
    )


def deliver_and_receive(site, lab, barcodes, *, user=SYSTEM):
    batch = actions.do_deliver(acting_user=user, site=site, lab=lab, barcodes=barcodes)
    return actions.do_receive_batch(batch, acting_user=user)


def report(lab, results: dict[str, str], *, user=SYSTEM, via="api"):
    now = timezone.now()
    rows = [
        actions.ResultRow(i + 1, barcode, result, now)
        for i, (barcode, result) in enumerate(results.items())
    ]
    return actions.do_record_results(acting_user=user, lab=lab, rows=rows, via=via)


def scheduled_tests(p, area, *windows) -> str:
    """A test hand-off of tracing's shape for ``p``: one test per (not_before,
    due_at) window, quarantine days 1, 4, …; returns its key."""
    tests = [
        ScheduledTest("quarantine", day, start, end)
        for day, (start, end) in zip((1, 4, 7, 14), windows, strict=False)
    ]
    first = schedule.current(tests)
    key = f"tracing.contact:{p.pk}:tests"
    do_create_handoffs(
        [
            HandoffSpec(
                key=key,
                kind="test",
                person_id=p.pk,
                area_id=area.pk,
                from_task_force="investigation",
                to_task_force="testing",
                origin="tracing.contact:1",
                not_before=first.not_before,
                due_at=first.due_at,
                detail=schedule.detail_of(tests),
            )
        ],
        acting_user=SYSTEM,
    )
    return key


def delivered_pool(world):
    """A 10-in-1 tube of the village's people, delivered to and received by a
    lab: ``(persons, round, site, lab)``."""
    ps = people(world.village, 10)
    r = round_([world.village])
    s = site(world.village)
    lb = lab(world.city)
    scan("POOL0001", ps, site=s, round=r)
    deliver_and_receive(s, lb, ["POOL0001"])
    return ps, r, s, lb
