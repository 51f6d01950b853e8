"""What a zone in force does through the other apps' interfaces: a test
hand-off per resident on the tier's frequency (testing lists them), and the
residents' health codes decided again (``health_facts.py`` gives the tier's
code effect)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from zhanyi.accounts.models import TaskForceKind
from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.handoffs import actions as handoffs
from zhanyi.handoffs import schedule
from zhanyi.handoffs.models import Handoff, HandoffKind
from zhanyi.handoffs.schedule import ScheduledTest
from zhanyi.people.actions import do_recompute_codes
from zhanyi.zones.actions.common import residents
from zhanyi.zones.models import Zone
from zhanyi.zones.rules import tier_rule

STAGE = "zone"


def origin(zone: Zone) -> str:
    return f"zones.zone:{zone.pk}"


def zone_tests(zone: Zone, start: dt.datetime) -> list[ScheduledTest]:
    """The tier's tests from ``start``: one every ``test_every_days`` local days
    over the tier's ``days_without_case`` (the least time it stays in force),
    each within its local day; none when the tier tests nobody."""
    rule = tier_rule(zone.tier, zone.protocol)
    if not rule.test_every_days:
        return []
    first = dt.datetime.combine(start.astimezone(LOCAL_TZ).date(), dt.time(), tzinfo=LOCAL_TZ)
    tests = []
    for day in range(0, rule.days_without_case, rule.test_every_days):
        opens = first + dt.timedelta(days=day)
        tests.append(ScheduledTest(STAGE, day + 1, opens, opens + dt.timedelta(days=1)))
    return tests


def schedule_tests(zone: Zone, *, acting_user: Any, start: dt.datetime) -> int:
    """One ``test`` hand-off per resident carrying the tier's schedule from
    ``start``; how many were created (a replay creates none)."""
    tests = zone_tests(zone, start)
    if not tests:
        return 0
    detail = schedule.detail_of(tests)
    first = schedule.current(schedule.tests_of(detail))
    assert first is not None
    people = residents(zone).values_list("pk", "village_id")
    specs = [
        handoffs.HandoffSpec(
            key=f"{origin(zone)}:{zone.tier}:{start:%Y%m%d%H%M}:{pid}",
            kind=HandoffKind.TEST,
            person_id=pid,
            area_id=village_id or zone.area_id,
            from_task_force=TaskForceKind.LOCKDOWN,
            to_task_force=TaskForceKind.TESTING,
            origin=origin(zone),
            not_before=first.not_before,
            due_at=first.due_at,
            detail=detail,
        )
        for pid, village_id in people
    ]
    return handoffs.do_create_handoffs(specs, acting_user=acting_user, origin_label=str(zone))


def cancel_tests(zone: Zone, *, acting_user: Any, reason: str) -> int:
    """Cancel the zone's open test hand-offs (it stepped down or lifted)."""
    open_ = Handoff.objects.filter(kind=HandoffKind.TEST, origin=origin(zone))
    return handoffs.do_cancel_handoffs(open_, acting_user=acting_user, reason=reason)


def recompute_codes(zone: Zone, *, acting_user: Any, now: dt.datetime, reason: str) -> int:
    """Decide the residents' codes again when the zone's code effect changes."""
    ids = list(residents(zone).values_list("pk", flat=True))
    return do_recompute_codes(ids, reason=reason, acting_user=acting_user, now=now) if ids else 0
